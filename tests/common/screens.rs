//! Rendering the real views into a test terminal, from the demo pods captured in
//! `tests/fixtures/demo-pods.json` (`kubectl get pods -A -o json` against `podscope demo`),
//! with the clock fixed five minutes after the newest pod was created.

use std::path::PathBuf;

use k8s_openapi::jiff::{SignedDuration, Timestamp};
use podscope::load::load_paths;
use podscope::model::PodInsight;
use podscope::model::findings::Observed;
use podscope::state::{App, Connection, Effect, Key, Msg, Scope, Source, pod_set, update};
use podscope::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

pub fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo-pods.json")
}

/// An app over the captured demo pods as manifest files (`podscope -f`).
pub fn demo_app(width: u16, height: u16) -> App {
    let source = Source::Files {
        paths: vec!["demo-pods.json".into()],
    };
    app_over_demo_pods(source, width, height)
}

/// An app over the captured demo pods as `podscope demo` shows them: the demo context,
/// synced.
pub fn demo_cluster_app(width: u16, height: u16) -> App {
    let source = Source::Cluster {
        context: Some("podscope-demo".into()),
        server: "https://127.0.0.1:42619".into(),
        contexts: vec!["podscope-demo".into()],
        home_namespace: "default".into(),
    };
    let mut app = app_over_demo_pods(source, width, height);
    update(&mut app, Msg::Connection(Connection::Synced));
    app
}

fn app_over_demo_pods(source: Source, width: u16, height: u16) -> App {
    let loaded = load_paths(&[fixture()], &mut std::io::empty()).unwrap();
    let newest = loaded
        .manifests
        .pods
        .iter()
        .filter_map(|p| p.created)
        .max()
        .unwrap();
    let now: Timestamp = newest + SignedDuration::from_secs(300);
    // Diagnosed as the cluster's watcher does, with the same fixed clock.
    let pods: Vec<PodInsight> = loaded
        .manifests
        .pods
        .into_iter()
        .map(|p| PodInsight::new(p, &[]).diagnosed(&Observed::at(now)))
        .collect();
    let mut app = App::new(source, Scope::All, now);
    update(&mut app, Msg::Resize(width, height));
    update(&mut app, Msg::Pods(pod_set(pods)));
    app
}

/// Type `keys` (`\n` is enter, `\x1b` esc, `⇱` Home, `⇲` End); the effects they asked for.
pub fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for ch in keys.chars() {
        let key = match ch {
            '\n' => Key::Enter,
            '\x1b' => Key::Esc,
            '⇱' => Key::Home,
            '⇲' => Key::End,
            c => Key::Char(c),
        };
        effects.extend(update(app, Msg::Key(key)).effects);
    }
    effects
}

pub fn render(app: &App, theme: &Theme) -> Buffer {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| podscope::tui::render::draw(f, app, theme))
        .unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn screen(app: &App) -> String {
    text(&render(app, &Theme::builtin("dark").unwrap()))
}
