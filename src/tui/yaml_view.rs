//! The YAML view: the pod's YAML, scrolled, with the search text highlighted, and a title
//! that says whether env values are shown.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::style;
use crate::state::yaml_view::YamlView as ViewState;
use crate::theme::Theme;

pub struct YamlView<'a> {
    pub view: &'a ViewState,
    pub theme: &'a Theme,
}

impl Widget for YamlView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (view, theme) = (self.view, self.theme);
        let values = if view.reveal {
            "env values shown (x hides them)"
        } else {
            "env values hidden (x shows them)"
        };
        let title = format!(
            " YAML of pod {} · ns {} · {values} ",
            view.name, view.namespace
        );
        let block = Block::bordered()
            .border_style(style::border(theme, true))
            .title(Span::styled(title, style::title(theme)));
        let height = area.height.saturating_sub(2) as usize;
        let lines: Vec<Line> = match (view.text(), &view.error) {
            (_, Some(e)) => vec![Line::from(Span::styled(
                format!("cannot fetch the pod: {e}"),
                style::error(theme),
            ))],
            (None, None) => vec![Line::from(Span::styled(
                "fetching the pod…",
                style::muted(theme),
            ))],
            (Some(text), None) => text
                .lines()
                .skip(view.scroll)
                .take(height)
                .map(|l| highlighted(l, &view.search, theme))
                .collect(),
        };
        Paragraph::new(lines).block(block).render(area, buf);
    }
}

/// A line with every occurrence of `needle` (case-insensitive) marked.
fn highlighted<'a>(line: &'a str, needle: &str, theme: &Theme) -> Line<'a> {
    if needle.is_empty() || !line.is_ascii() || !needle.is_ascii() {
        return Line::from(Span::styled(line, style::text(theme)));
    }
    let (lower, needle) = (line.to_ascii_lowercase(), needle.to_ascii_lowercase());
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&needle) {
        let start = at + found;
        spans.push(Span::styled(&line[at..start], style::text(theme)));
        spans.push(Span::styled(
            &line[start..start + needle.len()],
            style::matched(theme),
        ));
        at = start + needle.len();
    }
    spans.push(Span::styled(&line[at..], style::text(theme)));
    Line::from(spans)
}
