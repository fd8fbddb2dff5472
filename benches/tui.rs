//! The pod list on a cluster-sized pod set: 10,000 synthetic pods (the demo's `--synthetic`
//! generator, 30,000+ containers, all namespaces) converted and analysed as the watcher
//! does, handed to the state, drawn at 200x50; then each keystroke of a filter typed
//! through `update`, with the redraw. Prints numbers (DESIGN §7 budgets), asserts nothing.
//!
//!     cargo bench --bench tui

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

const PODS: usize = 10_000;

fn main() {
    let now = Timestamp::now();
    let api_pods = synthetic_pods(PODS, now);
    let started = Instant::now();
    let mut insights: Vec<Arc<PodInsight>> = api_pods
        .iter()
        .map(|p| Arc::new(PodInsight::new(pod_from_api(p, None), &[])))
        .collect();
    insights.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    let converted = started.elapsed();
    let containers: usize = insights.iter().map(|p| p.pod.containers.len()).sum();
    drop(api_pods);

    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut app = App::new(
        Source::Files {
            paths: vec!["bench".into()],
        },
        Scope::All,
        now,
    );
    update(&mut app, Msg::Resize(200, 50));
    let started = Instant::now();
    update(&mut app, Msg::Pods(Arc::new(insights)));
    terminal.draw(|f| draw(f, &app, &theme)).unwrap();
    let first_frame = started.elapsed();

    let mut samples: Vec<Duration> = Vec::new();
    let mut updates: Vec<Duration> = Vec::new();
    update(&mut app, Msg::Key(Key::Char('/')));
    for _ in 0..20 {
        for ch in "web-7".chars() {
            let t = Instant::now();
            update(&mut app, Msg::Key(Key::Char(ch)));
            updates.push(t.elapsed());
            terminal.draw(|f| draw(f, &app, &theme)).unwrap();
            samples.push(t.elapsed());
        }
        for _ in 0..5 {
            let t = Instant::now();
            update(&mut app, Msg::Key(Key::Backspace));
            terminal.draw(|f| draw(f, &app, &theme)).unwrap();
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    updates.sort();
    println!(
        "of which update alone: p50 {:?}, p99 {:?}",
        updates[updates.len() / 2],
        updates[updates.len() * 99 / 100]
    );
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!("pods: {PODS}, containers: {containers}");
    println!("convert + analyse (the watcher's work): {converted:?}");
    println!("snapshot into the state + first frame: {first_frame:?}");
    println!(
        "filter keystroke update + draw ({} samples): p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
