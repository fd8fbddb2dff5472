//! The README's screenshots (`screenshots/*.svg`) are real renders of the TUI's views on the
//! demo pods (`tests/fixtures/demo-pods.json`, captured from `podscope demo`). This test
//! renders them again and fails when a file differs: the views changed and the images are
//! stale. Regenerate them with
//!
//! ```sh
//! PODSCOPE_UPDATE_SCREENSHOTS=1 cargo test --test screenshots
//! ```

mod common;

use std::path::PathBuf;

use common::screens::{demo_cluster_app, press, render};
use common::svg::to_svg;
use podscope::theme::Theme;

/// (file, theme, background, keys typed on the pod list)
const SHOTS: &[(&str, &str, &str, &str)] = &[
    ("pod-list", "dark", "#1a1b26", ""),
    ("pod-view", "dark", "#1a1b26", "j\nj"),
    ("volumes", "dark", "#1a1b26", "j\nv"),
    ("pod-problems", "dark", "#1a1b26", "/crashy\n\n"),
    ("diagram-counter", "dark", "#1a1b26", "/counter\ng"),
    (
        "diagram-nginx-adapter",
        "dark",
        "#1a1b26",
        "/nginx-adapter\ngj",
    ),
    ("diagram-ambassador", "dark", "#1a1b26", "/ambassador\ng"),
    ("pod-list-light", "light", "#ffffff", "/init\n"),
    (
        "pod-view-catppuccin",
        "catppuccin-mocha",
        "#1e1e2e",
        "/native\n\nj",
    ),
];

#[test]
fn screenshots_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    let update = std::env::var_os("PODSCOPE_UPDATE_SCREENSHOTS").is_some();
    let mut stale = Vec::new();
    for (file, theme_name, background, keys) in SHOTS {
        let theme = Theme::builtin(theme_name).unwrap();
        let mut app = demo_cluster_app(110, 34);
        press(&mut app, keys);
        if *file == "pod-problems" {
            crash_news(&mut app);
        }
        let svg = to_svg(&render(&app, &theme), background, &hex_of(theme.ui.text.0));
        let path = dir.join(format!("{file}.svg"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &svg).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale screenshots (the views changed): {}\nregenerate with: PODSCOPE_UPDATE_SCREENSHOTS=1 cargo test --test screenshots",
        stale.join(", ")
    );
}

/// What the cluster tells the open crashy pod: the previous instance's last lines and the
/// kubelet's events, as `podscope demo` reports them.
fn crash_news(app: &mut podscope::state::App) {
    use podscope::model::event::{EventType, PodEvent};
    use podscope::state::pod_details::PodNews;
    use podscope::state::{Msg, update};
    let now = app.now;
    let ago = |s: i64| now - k8s_openapi::jiff::SignedDuration::from_secs(s);
    let event = |kind, reason: &str, message: &str, count, last: i64| PodEvent {
        kind,
        reason: reason.into(),
        message: message.into(),
        count,
        first_seen: Some(ago(300)),
        last_seen: Some(ago(last)),
        container: Some("app".into()),
        source: "kubelet".into(),
        pod_uid: None,
    };
    let news = [
        PodNews::LogTail {
            container: "app".into(),
            previous: true,
            lines: vec![
                "handling request 4".into(),
                "fatal: lost connection to database at db:5432".into(),
            ],
        },
        PodNews::Events(vec![
            event(
                EventType::Warning,
                "BackOff",
                "Back-off restarting failed container app in pod crashy_default(5c1f)",
                9,
                12,
            ),
            event(
                EventType::Normal,
                "Started",
                "Started container app",
                3,
                280,
            ),
        ]),
    ];
    for news in news {
        update(
            app,
            Msg::PodNews {
                namespace: "default".into(),
                name: "crashy".into(),
                news,
            },
        );
    }
}

fn hex_of(c: ratatui::style::Color) -> String {
    match c {
        ratatui::style::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        _ => "#c0c0c0".to_string(),
    }
}
