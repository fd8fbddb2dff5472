//! The question before a debug container is added: ephemeral containers cannot be removed
//! from a pod, so podscope asks, says what it will add, and shows the kubectl command.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::style;
use crate::state::DebugRequest;
use crate::theme::Theme;

pub struct ConfirmDebug<'a> {
    pub request: &'a DebugRequest,
    pub context: Option<&'a str>,
    pub theme: &'a Theme,
}

impl Widget for ConfirmDebug<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (r, theme) = (self.request, self.theme);
        let paths: Vec<&str> = r.mounts.iter().map(|m| m.path.as_str()).collect();
        let key = |k: &'static str| Span::styled(format!(" {k:<4}"), style::title(theme));
        let mut lines = vec![
            Line::from(Span::styled(
                format!(
                    " Image {}, in pod {}, sharing the process namespace of {}.",
                    r.image, r.pod, r.target
                ),
                style::text(theme),
            )),
            Line::from(Span::styled(
                " Ephemeral containers stay in the pod until it is deleted.",
                style::warning(theme),
            )),
            Line::default(),
        ];
        if paths.is_empty() {
            lines.push(Line::from(vec![
                key("y"),
                Span::styled("add it", style::text(theme)),
            ]));
        } else {
            lines.push(Line::from(vec![
                key("y"),
                Span::styled(
                    format!("add it with {}'s mounts: {}", r.target, paths.join(", ")),
                    style::text(theme),
                ),
            ]));
            lines.push(Line::from(vec![
                key("n"),
                Span::styled("add it without mounts", style::text(theme)),
            ]));
        }
        lines.push(Line::from(vec![
            key("esc"),
            Span::styled("cancel", style::text(theme)),
        ]));
        lines.push(Line::default());
        let with = DebugRequest {
            with_mounts: true,
            ..r.clone()
        };
        lines.push(Line::from(Span::styled(
            format!(" {}", with.kubectl(self.context)),
            style::muted(theme),
        )));
        popup(area, buf, lines, " Add a debug container? ", 90, theme);
    }
}

/// A question in a bordered box in the middle of the screen, over what is there.
pub(super) fn popup(
    area: Rect,
    buf: &mut Buffer,
    lines: Vec<Line>,
    title: &str,
    max_width: u16,
    theme: &Theme,
) {
    let width = area.width.min(max_width);
    let height = (lines.len() as u16 + 4).min(area.height);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .border_style(style::border(theme, true))
                .title(Span::styled(title, style::title(theme))),
        )
        .render(popup, buf);
}
