//! The help overlay: every key from the keymap table, and the glyph legend.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::style;
use crate::model::{ContainerRole, ContainerStateKind};
use crate::state::keymap::{BINDINGS, Binding, LOG_BINDINGS};
use crate::theme::Theme;

pub struct Help<'a> {
    pub theme: &'a Theme,
}

impl Widget for Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let keys = |table: &'static [Binding]| {
            table
                .iter()
                .filter(|b| !b.shown.is_empty())
                .map(|b| {
                    Line::from(vec![
                        Span::styled(format!(" {:<8}", b.shown), style::title(theme)),
                        Span::styled(b.help, style::text(theme)),
                    ])
                })
                .collect::<Vec<Line>>()
        };
        let left = keys(BINDINGS);
        let mut lines = vec![Line::from(Span::styled(
            " In the log view",
            style::title(theme),
        ))];
        lines.extend(keys(LOG_BINDINGS));
        lines.push(Line::default());
        let roles = [
            (ContainerRole::Main, false, "main"),
            (ContainerRole::Sidecar, false, "sidecar"),
            (ContainerRole::Adapter, false, "adapter"),
            (ContainerRole::Ambassador, false, "ambassador"),
            (ContainerRole::Init, false, "init"),
            (ContainerRole::Sidecar, true, "native sidecar"),
            (ContainerRole::Ephemeral, false, "ephemeral"),
        ];
        let mut legend = vec![Span::styled(" ", style::text(theme))];
        for (role, native, name) in roles {
            legend.push(Span::styled(
                style::role_glyph(role, native),
                style::role(theme, role, native),
            ));
            legend.push(Span::styled(format!(" {name}  "), style::text(theme)));
        }
        lines.push(Line::from(legend));
        let states = [
            (ContainerStateKind::Running, "running"),
            (ContainerStateKind::Waiting, "waiting"),
            (ContainerStateKind::Completed, "completed"),
            (ContainerStateKind::Failed, "failed"),
            (ContainerStateKind::CrashLoop, "crash loop"),
        ];
        let mut colours = vec![Span::styled(" glyph colour: ", style::muted(theme))];
        for (kind, name) in states {
            colours.push(Span::styled(
                format!("{name}  "),
                Style::new().fg(style::state_color(theme, kind)),
            ));
        }
        lines.push(Line::from(colours));
        let width = area.width.min(150);
        let height = (left.len().max(lines.len()) as u16 + 2).min(area.height);
        let popup = Rect {
            x: area.x + (area.width - width) / 2,
            y: area.y + (area.height - height) / 2,
            width,
            height,
        };
        Clear.render(popup, buf);
        let block = Block::bordered()
            .border_style(style::border(theme, true))
            .title(Span::styled(" Keys (any key closes) ", style::title(theme)));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let half = inner.width / 2;
        let [l, r] = [
            Rect {
                width: half,
                ..inner
            },
            Rect {
                x: inner.x + half,
                width: inner.width - half,
                ..inner
            },
        ];
        Paragraph::new(left).render(l, buf);
        Paragraph::new(lines).render(r, buf);
    }
}
