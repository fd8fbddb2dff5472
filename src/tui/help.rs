//! The help overlay: the rows [`HelpLayout`] lays out, styled, in one or two columns,
//! scrolled to where the state says.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::style;
use crate::state::help::{HelpLayout, HelpRow, KEY_WIDTH, LegendItem, MAX_WIDTH};
use crate::theme::Theme;

pub struct Help<'a> {
    pub theme: &'a Theme,
    pub scroll: usize,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let layout = HelpLayout::new(area.width);
        let max_scroll = layout.max_scroll(area.height);
        let scroll = self.scroll.min(max_scroll);
        let width = area.width.min(MAX_WIDTH);
        let height = (layout.height() as u16).saturating_add(2).min(area.height);
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(popup, buf);
        let title = if max_scroll == 0 {
            " Keys (any key closes) ".to_string()
        } else {
            format!(
                " Keys ({}-{} of {} · j k scroll · any other key closes) ",
                scroll + 1,
                (scroll + usize::from(height.saturating_sub(2))).min(layout.height()),
                layout.height()
            )
        };
        let block = Block::bordered()
            .border_style(style::border(theme, true))
            .title(Span::styled(title, style::title(theme)));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let mut x = inner.x;
        for column in &layout.columns {
            let lines: Vec<Line> = column
                .iter()
                .skip(scroll)
                .map(|row| line(row, theme))
                .collect();
            let rect = Rect {
                x,
                width: (layout.column_width as u16).min(inner.right().saturating_sub(x)),
                ..inner
            };
            Paragraph::new(lines).render(rect, buf);
            x = x.saturating_add(layout.column_width as u16 + 2);
        }
    }
}

fn line<'a>(row: &'a HelpRow, theme: &Theme) -> Line<'a> {
    match row {
        HelpRow::Heading(text) => Line::from(Span::styled(format!(" {text}"), style::title(theme))),
        HelpRow::Key { key, text } => Line::from(vec![
            Span::styled(
                format!(" {key:<width$}", width = KEY_WIDTH - 1),
                style::title(theme),
            ),
            Span::styled(format!(" {text}"), style::text(theme)),
        ]),
        HelpRow::Legend(items) => {
            let mut spans = vec![Span::raw(" ")];
            for item in items {
                match *item {
                    LegendItem::Role { role, native, name } => {
                        spans.push(Span::styled(
                            style::role_glyph(role, native),
                            style::role(theme, role, native),
                        ));
                        spans.push(Span::styled(format!(" {name}  "), style::text(theme)));
                    }
                    LegendItem::State { kind, name } => spans.push(Span::styled(
                        format!("{name}  "),
                        Style::new().fg(style::state_color(theme, kind)),
                    )),
                }
            }
            Line::from(spans)
        }
        HelpRow::Blank => Line::default(),
    }
}
