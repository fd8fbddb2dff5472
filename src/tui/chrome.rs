//! The header line (where the pods come from, the connection, the order and filter) and the
//! footer line (the prompt, a message, or the keys that matter on this screen).

use std::cell::RefCell;

use crate::state::Key;
use crate::state::mouse::{Hit, Target};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::style;
use crate::model::ContainerStateKind;
use crate::state::forward::ForwardState;
use crate::state::{App, Connection, Level, PromptKind, Scope, Screen, Source, prompt};
use crate::theme::Theme;

pub struct Header<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
}

impl Widget for Header<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, theme) = (self.app, self.theme);
        let sep = Span::styled(" │ ", style::muted(theme));
        let mut spans = vec![Span::styled(" podscope", style::title(theme))];
        match &app.source {
            Source::Cluster { context, .. } => {
                spans.push(sep.clone());
                spans.push(Span::styled("ctx ", style::muted(theme)));
                spans.push(Span::styled(
                    context.as_deref().unwrap_or("in-cluster"),
                    style::text(theme),
                ));
            }
            Source::Files { paths } => {
                spans.push(sep.clone());
                spans.push(Span::styled("files ", style::muted(theme)));
                spans.push(Span::styled(paths.join(" "), style::text(theme)));
            }
        }
        spans.push(sep.clone());
        spans.push(Span::styled("ns ", style::muted(theme)));
        spans.push(Span::styled(
            match &app.table.scope {
                Scope::All => "all",
                Scope::Namespace(ns) => ns.as_str(),
            },
            style::text(theme),
        ));
        if app.readonly && matches!(app.source, Source::Cluster { .. }) {
            spans.push(sep.clone());
            spans.push(Span::styled("read-only", style::warning(theme)));
        }
        spans.push(sep.clone());
        spans.extend(connection(app, theme));
        if !app.table.filter_text().is_empty() {
            spans.push(sep.clone());
            spans.push(Span::styled("/", style::muted(theme)));
            spans.push(Span::styled(app.table.filter_text(), style::matched(theme)));
        }
        let listening: Vec<String> = app
            .forwards
            .iter()
            .filter_map(|f| match f.state {
                ForwardState::Listening(local) => {
                    Some(format!("⇄ {local}→{}:{}", f.request.pod, f.request.remote))
                }
                _ => None,
            })
            .collect();
        if !listening.is_empty() {
            spans.push(sep.clone());
            spans.push(Span::styled(listening.join(" "), style::text(theme)));
        }
        if app.table.problems_only() {
            spans.push(sep.clone());
            spans.push(Span::styled("! with problems", style::warning(theme)));
        }
        if matches!(app.screen, Screen::List) {
            spans.push(sep);
            let arrow = if app.table.descending { "↓" } else { "↑" };
            spans.push(Span::styled(
                format!("{}{arrow}", app.table.sort.label()),
                style::muted(theme),
            ));
        }
        Line::from(spans).render(area, buf);
    }
}

fn connection<'a>(app: &'a App, theme: &Theme) -> Vec<Span<'a>> {
    let total = app.table.pods().len();
    let shown = app.table.len();
    let noun = if total == 1 { "pod" } else { "pods" };
    let count = if shown == total {
        format!("{} {noun}", grouped(total))
    } else {
        format!("{} of {} {noun}", grouped(shown), grouped(total))
    };
    match &app.connection {
        Connection::Connecting => vec![Span::styled(
            format!("◌ connecting to {}", app.source.server()),
            style::warning(theme),
        )],
        Connection::Syncing { loaded, expected } => {
            let of = match expected {
                Some(n) if *n >= *loaded => format!(" of ~{}", grouped(*n)),
                _ => String::new(),
            };
            vec![Span::styled(
                format!("◌ syncing {}{of} pods", grouped(*loaded)),
                style::warning(theme),
            )]
        }
        Connection::Synced => vec![
            Span::styled(
                "● ",
                Style::new().fg(style::state_color(theme, ContainerStateKind::Running)),
            ),
            Span::styled(format!("synced {count}"), style::text(theme)),
        ],
        Connection::Reconnecting {
            reason,
            attempt,
            since,
        } => vec![Span::styled(
            format!(
                "⚠ cannot reach {} (retry {attempt}): {reason}{}",
                app.source.server(),
                // Pods on screen are the last ones known: say since when.
                if app.table.pods().is_empty() {
                    String::new()
                } else {
                    format!(" · pods stale {}", crate::state::stale_for(*since, app.now))
                }
            ),
            style::error(theme),
        )],
        Connection::Files => vec![Span::styled(count, style::text(theme))],
    }
}

/// `12345` as `12,345`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub struct Footer<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    /// Where the hints are, for the mouse.
    pub hits: &'a RefCell<Vec<Hit>>,
}

/// The key a footer hint stands for: its first key (`j` of `j/k`, `N` of `N/A/R/S`).
fn hint_key(hint: &str) -> Option<Key> {
    match hint {
        "enter" => return Some(Key::Enter),
        "esc" => return Some(Key::Esc),
        _ => {}
    }
    if let Some(c) = hint.strip_prefix('^').and_then(|r| r.chars().next()) {
        return Some(Key::Ctrl(c));
    }
    hint.chars().next().map(Key::Char)
}

impl Widget for Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, theme) = (self.app, self.theme);
        if let Some(p) = &app.prompt {
            let sigil = match p.kind {
                PromptKind::Filter | PromptKind::LogSearch | PromptKind::YamlSearch => "/",
                PromptKind::Command => ":",
                PromptKind::LogFilter => "&",
            };
            let mut spans = vec![
                Span::styled(sigil, style::title(theme)),
                Span::styled(p.text.as_str(), style::text(theme)),
                Span::styled("█", style::muted(theme)),
            ];
            if p.kind == PromptKind::Command {
                let found =
                    prompt::candidates(&p.text, &app.table.namespaces(), app.source.contexts());
                if !found.is_empty() && !p.text.is_empty() {
                    spans.push(Span::styled(
                        format!("   {}", found.join("  ")),
                        style::muted(theme),
                    ));
                }
            }
            Line::from(spans).render(area, buf);
            return;
        }
        if let Some(request) = &app.confirm {
            let text = if request.mounts.is_empty() {
                " y: add it · esc: cancel"
            } else {
                " y: add it with the target's mounts · n: without mounts · esc: cancel"
            };
            Line::from(Span::styled(text, style::warning(theme))).render(area, buf);
            return;
        }
        if let Some(flash) = &app.flash {
            let s = match flash.level {
                Level::Info => style::text(theme),
                Level::Warning => style::warning(theme),
                Level::Error => style::error(theme),
            };
            Line::from(Span::styled(format!(" {}", flash.text), s)).render(area, buf);
            return;
        }
        let hints: &[(&str, &str)] = match app.screen {
            Screen::List => &[
                ("enter", "open"),
                ("/", "filter"),
                ("s", "shell"),
                ("l", "logs"),
                ("v", "volumes"),
                (":ns", "namespace"),
                ("N/A/R/S", "sort"),
                ("c", "copy"),
                ("?", "help"),
                ("q", "quit"),
            ],
            Screen::Pod(_) => &[
                ("j/k", "container"),
                ("s", "shell"),
                ("l/p/a", "logs/previous/all"),
                ("d", "debug"),
                ("v/g", "volumes/diagram"),
                ("c/C", "copy exec/logs"),
                ("esc", "back"),
                ("?", "help"),
            ],
            Screen::Volumes(_) => &[
                ("j/k", "scroll"),
                ("g", "diagram"),
                ("esc", "back"),
                ("?", "help"),
            ],
            Screen::Diagram(_) => &[
                ("j/k", "container"),
                ("enter", "open"),
                ("s", "shell"),
                ("l", "logs"),
                ("v", "volumes"),
                ("J/K", "scroll"),
                ("esc", "back"),
                ("?", "help"),
            ],
            Screen::Yaml(_) => &[
                ("j/k g/G", "scroll"),
                ("/ n N", "search"),
                ("x", "show/hide env values"),
                ("c", "copy"),
                ("esc", "back"),
            ],
            Screen::Logs(_) => &[
                ("f/G", "follow"),
                ("p", "previous"),
                ("a", "all"),
                ("t", "time"),
                ("w", "wrap"),
                ("/ n N", "search"),
                ("&", "filter"),
                ("0-4", "range"),
                ("^s", "save"),
                ("esc", "back"),
            ],
        };
        let mut spans = Vec::new();
        let mut x = area.x;
        let mut hits = self.hits.borrow_mut();
        for (key, what) in hints {
            let width = (key.chars().count() + what.chars().count() + 3) as u16;
            if let Some(k) = hint_key(key) {
                hits.push(Hit {
                    x,
                    y: area.y,
                    width,
                    height: 1,
                    target: Target::Key(k),
                });
            }
            x = x.saturating_add(width);
            spans.push(Span::styled(format!(" {key}"), style::title(theme)));
            spans.push(Span::styled(format!(" {what} "), style::muted(theme)));
        }
        Line::from(spans).render(area, buf);
    }
}
