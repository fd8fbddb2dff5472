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

fn hex_of(c: ratatui::style::Color) -> String {
    match c {
        ratatui::style::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        _ => "#c0c0c0".to_string(),
    }
}
