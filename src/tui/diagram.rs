//! The diagram view: the pod drawn as `model::diagram` lays it out, each container in its
//! role's colour, the selected one and its edges in bold, what its arrows mean underneath.

use std::cell::RefCell;

use crate::state::mouse::{Hit, Target};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::style;
use crate::model::diagram::canvas::{Options, Paint, draw};
use crate::model::diagram::{Diagram, arrows_of, diagram};
use crate::state::App;
use crate::state::diagram_view::DiagramView as ViewState;
use crate::theme::Theme;

pub struct DiagramView<'a> {
    pub app: &'a App,
    pub view: &'a ViewState,
    pub theme: &'a Theme,
    /// Where the containers' boxes are, for the mouse.
    pub hits: &'a RefCell<Vec<Hit>>,
}

impl Widget for DiagramView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let Some(insight) = self.app.table.find(&self.view.namespace, &self.view.name) else {
            super::volumes::gone(&self.view.namespace, &self.view.name, theme).render(area, buf);
            return;
        };
        let d = diagram(insight);
        let selected = self.view.selected.min(d.lanes.len().saturating_sub(1));
        let canvas = draw(
            &d,
            Options {
                width: area.width.saturating_sub(2) as usize,
                selected: Some(selected),
                ascii: self.app.ascii,
            },
        );
        // Each lane's box is in the top rows, under the border, until scrolled away.
        if self.view.scroll == 0 {
            let mut hits = self.hits.borrow_mut();
            for lane in 0..d.lanes.len() {
                let cells: Vec<u16> = (0..canvas.rows.len().min(4))
                    .flat_map(|r| {
                        canvas.rows[r]
                            .iter()
                            .enumerate()
                            .map(move |(x, c)| (r, x, c))
                    })
                    .filter(|(_, _, c)| c.paint == Paint::Lane(lane))
                    .map(|(_, x, _)| x as u16)
                    .collect();
                if let (Some(&lo), Some(&hi)) = (cells.iter().min(), cells.iter().max()) {
                    hits.push(Hit {
                        x: area.x + 1 + lo,
                        y: area.y + 1,
                        width: hi - lo + 1,
                        height: 4,
                        target: Target::Lane(lane),
                    });
                }
            }
        }
        let mut lines: Vec<Line> = canvas
            .runs()
            .into_iter()
            .map(|row| {
                Line::from(
                    row.into_iter()
                        .map(|(text, paint, hot)| {
                            Span::styled(text, cell_style(&d, selected, paint, hot, theme))
                        })
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        if let Some(lane) = d.lanes.get(selected) {
            lines.push(Line::default());
            let arrows = arrows_of(&d, selected);
            let text = if arrows.is_empty() {
                format!(
                    "{} has no arrows: nothing in the spec connects it.",
                    lane.name
                )
            } else {
                arrows.join(" ")
            };
            lines.push(Line::from(Span::styled(text, style::text(theme))));
        }
        let title = format!(" {} as a picture ", insight.pod.name);
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.view.scroll, 0))
            .block(
                Block::bordered()
                    .border_style(style::border(theme, true))
                    .title(Span::styled(title, style::title(theme))),
            )
            .render(area, buf);
    }
}

/// A cell's style: boxes in their role's colour, the selected container's edges in its own,
/// bold.
fn cell_style(d: &Diagram, selected: usize, paint: Paint, hot: bool, theme: &Theme) -> Style {
    let role = |lane: usize| {
        let l = &d.lanes[lane];
        style::role(theme, l.role, l.native_sidecar)
    };
    let base = match paint {
        Paint::Lane(lane) if lane < d.lanes.len() => role(lane),
        Paint::Lane(_) | Paint::Plain => style::text(theme),
        Paint::Volume => style::shared(theme),
        Paint::Muted => style::muted(theme),
        Paint::Line => style::text(theme),
    };
    match (hot, paint) {
        (false, _) => base,
        (true, Paint::Line | Paint::Muted) if selected < d.lanes.len() => {
            role(selected).add_modifier(Modifier::BOLD)
        }
        (true, _) => base.add_modifier(Modifier::BOLD),
    }
}
