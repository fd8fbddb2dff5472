//! The question before a pod is deleted, with the kubectl command that does the same.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::style;
use crate::state::delete::DeleteRequest;
use crate::theme::Theme;

pub struct ConfirmDelete<'a> {
    pub request: &'a DeleteRequest,
    pub context: Option<&'a str>,
    pub theme: &'a Theme,
}

impl Widget for ConfirmDelete<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (r, theme) = (self.request, self.theme);
        let key = |k: &'static str| Span::styled(format!(" {k:<4}"), style::title(theme));
        let lines = vec![
            Line::from(Span::styled(
                format!(" Pod {} in namespace {}.", r.name, r.namespace),
                style::text(theme),
            )),
            Line::from(Span::styled(
                " Its controller (a Deployment, a Job...) may create a new one.",
                style::warning(theme),
            )),
            Line::default(),
            Line::from(vec![
                key("y"),
                Span::styled("delete it", style::text(theme)),
            ]),
            Line::from(vec![
                key("esc"),
                Span::styled("keep it", style::text(theme)),
            ]),
            Line::default(),
            Line::from(Span::styled(
                format!(" {}", r.kubectl(self.context)),
                style::muted(theme),
            )),
        ];
        super::confirm::popup(area, buf, lines, " Delete this pod? ", 80, theme);
    }
}
