//! The log view: a title line (pod, container or all, following or paused, range, counts, the
//! streams' latest word), the kubectl command that prints the same, then the lines: each
//! container's name in its role colour when merged, timestamps muted, search matches
//! highlighted, restart boundaries standing out.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::style;
use crate::state::LogView as ViewState;
use crate::state::log_buffer::Entry;
use crate::state::wrap::Wrap;
use crate::theme::Theme;

pub struct LogView<'a> {
    pub view: &'a ViewState,
    pub context: Option<&'a str>,
    pub theme: &'a Theme,
}

impl Widget for LogView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.height < 3 {
            return;
        }
        let (view, theme) = (self.view, self.theme);
        let title = Rect { height: 1, ..area };
        let command = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        let body = Rect {
            y: area.y + 2,
            height: area.height - 2,
            ..area
        };
        title_line(view, theme).render(title, buf);
        Line::from(Span::styled(
            format!(" {}", view.kubectl(self.context)),
            style::muted(theme),
        ))
        .render(command, buf);
        let (width, height) = (body.width as usize, body.height as usize);
        let Some(top) = view.current_top(width, height) else {
            let empty = match &view.quiet_hint {
                _ if !view.buffer.is_empty() => " no line matches the filter".to_string(),
                Some(hint) => format!(" no lines: {hint}"),
                None => " no lines yet".to_string(),
            };
            ratatui::widgets::Paragraph::new(Span::styled(empty, style::muted(theme)))
                .wrap(ratatui::widgets::Wrap { trim: false })
                .render(body, buf);
            return;
        };
        let start = match view.buffer.kept_index(top) {
            Ok(i) | Err(i) => i,
        };
        let mut y = 0usize;
        let mut i = start;
        while y < height {
            let Some(n) = view.buffer.kept_number(i) else {
                break;
            };
            let Some(entry) = view.buffer.get(n) else {
                break;
            };
            for row in rows(view, entry, theme, width) {
                if y >= height {
                    break;
                }
                let area = Rect {
                    y: body.y + y as u16,
                    height: 1,
                    ..body
                };
                row.render(area, buf);
                y += 1;
            }
            i += 1;
        }
    }
}

fn title_line<'a>(view: &'a ViewState, theme: &Theme) -> Line<'a> {
    let who = if view.all {
        "all containers".to_string()
    } else {
        view.container.clone()
    };
    let mut spans = vec![
        Span::styled(format!(" Logs {} › {who}", view.pod), style::title(theme)),
        Span::styled(
            format!(
                "  {} · {}{} · {} lines",
                if view.previous {
                    "previous instance"
                } else if view.top.is_none() {
                    "following"
                } else {
                    "paused (G resumes)"
                },
                view.range.label(),
                if view.timestamps {
                    " · timestamps"
                } else {
                    ""
                },
                view.buffer.len()
            ),
            style::text(theme),
        ),
    ];
    if view.buffer.filter().is_some() {
        spans.push(Span::styled(
            format!(
                " · & {} ({} shown)",
                view.filter_text(),
                view.buffer.shown()
            ),
            style::warning(theme),
        ));
    }
    if let Some(p) = &view.search {
        spans.push(Span::styled(
            format!(" · / {}", p.text),
            style::matched(theme),
        ));
    }
    if let Some((error, note)) = &view.note {
        let s = if *error {
            style::error(theme)
        } else {
            style::warning(theme)
        };
        spans.push(Span::styled(format!("  {note}"), s));
    }
    Line::from(spans)
}

/// The styled pieces of one entry: prefix, timestamp, text with the search matches marked.
fn pieces(view: &ViewState, entry: &Entry, theme: &Theme) -> Vec<(String, Style)> {
    if entry.boundary {
        return vec![(entry.text.clone(), style::warning(theme))];
    }
    let mut out = Vec::new();
    if view.all {
        let source = view.source(entry.source);
        let (name, s) = match source {
            Some(c) => (
                c.name.as_str(),
                style::role(theme, c.role, c.native_sidecar),
            ),
            None => ("?", style::muted(theme)),
        };
        out.push((format!("[{name}] "), s));
    }
    if view.timestamps && !entry.stamp.is_empty() {
        out.push((format!("{} ", entry.stamp), style::muted(theme)));
    }
    let text = &entry.text;
    let mut at = 0;
    if let Some(p) = &view.search {
        for m in p.regex.find_iter(text).filter(|m| !m.is_empty()) {
            out.push((text[at..m.start()].to_string(), style::text(theme)));
            out.push((m.as_str().to_string(), style::matched(theme)));
            at = m.end();
        }
    }
    out.push((text[at..].to_string(), style::text(theme)));
    out
}

/// The screen rows of an entry: one (cut at the edge) or, wrapping, as many as it needs;
/// the same count as `LogView::rows` in the state (both wrap with [`Wrap`]).
fn rows<'a>(view: &ViewState, entry: &Entry, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let pieces = pieces(view, entry, theme);
    if !view.wrap || width == 0 {
        return vec![Line::from(
            pieces
                .into_iter()
                .map(|(t, s)| Span::styled(t, s))
                .collect::<Vec<_>>(),
        )];
    }
    let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
    let mut wrap = Wrap::new(width);
    for (text, s) in pieces {
        let mut piece = String::new();
        for c in text.chars() {
            if wrap.place(c) {
                let done = std::mem::take(&mut piece);
                if !done.is_empty() {
                    lines
                        .last_mut()
                        .expect("never empty")
                        .push(Span::styled(done, s));
                }
                lines.push(Vec::new());
            }
            piece.push(c);
        }
        if !piece.is_empty() {
            lines
                .last_mut()
                .expect("never empty")
                .push(Span::styled(piece, s));
        }
    }
    lines.into_iter().map(Line::from).collect()
}
