//! A filter keystroke to the redrawn frame at N pods, in this process: the pods converted and
//! analysed as the watcher does, handed to the state, then each key of a filter typed through
//! `update` and the frame drawn at 200x50, as the event loop does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use podscope::demo::synthetic::synthetic_pods;
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;
use podscope::state::{App, Key, Msg, Scope, Source, update};
use podscope::theme::Theme;
use podscope::tui::render::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// p50 and p99 of a keystroke's update and redraw.
pub fn keystroke(n: usize) -> (Duration, Duration) {
    let now = Timestamp::now();
    let mut insights: Vec<Arc<PodInsight>> = synthetic_pods(n, now)
        .iter()
        .map(|p| Arc::new(PodInsight::new(pod_from_api(p, None), &[])))
        .collect();
    insights.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    let theme = Theme::builtin("dark").expect("the dark theme");
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("a test terminal");
    let mut app = App::new(
        Source::Files {
            paths: vec!["bench".into()],
        },
        Scope::All,
        now,
    );
    update(&mut app, Msg::Resize(200, 50));
    update(&mut app, Msg::Pods(Arc::new(insights)));
    let _ = terminal.draw(|f| draw(f, &app, &theme));
    update(&mut app, Msg::Key(Key::Char('/')));
    let mut samples = Vec::new();
    let mut press = |key: Key| {
        let t = Instant::now();
        update(&mut app, Msg::Key(key));
        let _ = terminal.draw(|f| draw(f, &app, &theme));
        samples.push(t.elapsed());
    };
    for _ in 0..20 {
        "web-7".chars().for_each(|c| press(Key::Char(c)));
        (0..5).for_each(|_| press(Key::Backspace));
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    (at(0.5), at(0.99))
}
