//! The pod list: kubectl's columns plus CONTAINERS, one role glyph per container coloured by
//! its state. Only the rows on screen are built.

use std::cell::RefCell;

use crate::state::mouse::{Hit, Target};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use super::style;
use crate::model::PodInsight;
use crate::model::findings::worst;
use crate::model::printing::age;
use crate::state::fuzzy::Filter;
use crate::state::{App, Connection, Scope};
use crate::theme::Theme;

pub struct PodList<'a> {
    pub app: &'a App,
    pub theme: &'a Theme,
    /// Where the rows are, for the mouse.
    pub hits: &'a RefCell<Vec<Hit>>,
}

impl Widget for PodList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, theme) = (self.app, self.theme);
        let table = &app.table;
        let height = area.height.saturating_sub(1) as usize;
        if table.is_empty() {
            empty(app, theme).render(area, buf);
            return;
        }
        let show_ns = table.scope == Scope::All && has_many_namespaces(app);
        let visible: Vec<(usize, &PodInsight)> = table.visible(height).collect();
        // Under the header, one line per row.
        self.hits
            .borrow_mut()
            .extend(visible.iter().enumerate().map(|(line, &(row, _))| Hit {
                x: area.x,
                y: area.y + 1 + line as u16,
                width: area.width,
                height: 1,
                target: Target::Row(row),
            }));
        // Each column as wide as its widest visible cell, within bounds.
        let widest = |cell: &dyn Fn(&PodInsight) -> usize, min: usize, max: usize| -> u16 {
            visible
                .iter()
                .map(|(_, p)| cell(p))
                .max()
                .unwrap_or(min)
                .clamp(min, max) as u16
        };
        let name_width = widest(&|p| p.pod.name.chars().count(), 4, 48);
        let ns_width = widest(&|p| p.pod.namespace.chars().count(), 9, 24);
        let restarts_width = widest(&|p| p.summary.restarts_cell(app.now).chars().count(), 8, 32);
        let status_width = widest(&|p| p.summary.status.chars().count(), 6, 26);
        let age_width = widest(&|p| age(&p.pod, app.now).chars().count(), 3, 8);
        let mut widths = vec![Constraint::Length(1)];
        let mut titles = vec!["!"];
        if show_ns {
            widths.push(Constraint::Length(ns_width));
            titles.push("NAMESPACE");
        }
        // Every column keeps its content's width; NAME gives way first on a narrow terminal.
        let spacing: u16 = if area.width >= 100 { 2 } else { 1 };
        let others = 5
            + status_width
            + restarts_width
            + age_width
            + 10
            + if show_ns { ns_width } else { 0 }
            + spacing * widths.len() as u16
            + spacing * 5
            + 1
            + spacing;
        let name = if others + name_width <= area.width {
            Constraint::Length(name_width)
        } else {
            Constraint::Min(name_width.min(12))
        };
        widths.extend([
            name,
            Constraint::Length(5),
            Constraint::Length(status_width),
            Constraint::Length(restarts_width),
            Constraint::Length(age_width),
            Constraint::Length(10),
        ]);
        titles.extend(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "CONTAINERS"]);
        let header = Row::new(titles).style(style::title(theme));
        let filter = table.filter();
        let rows = visible.iter().map(|&(row, p)| {
            let mut cells = Vec::with_capacity(8);
            cells.push(match worst(&p.findings) {
                Some(s) => Cell::from(Span::styled(
                    style::severity_glyph(s),
                    style::severity(theme, s),
                )),
                None => Cell::from(""),
            });
            if show_ns {
                cells.push(Cell::from(p.pod.namespace.as_str()));
            }
            cells.push(Cell::from(highlighted(&p.pod.name, filter, theme)));
            cells.push(Cell::from(p.summary.ready_cell()));
            cells.push(Cell::from(Span::styled(
                p.summary.status.as_str(),
                Style::new().fg(style::pod_status_color(theme, &p.summary.status)),
            )));
            cells.push(Cell::from(p.summary.restarts_cell(app.now)));
            cells.push(Cell::from(age(&p.pod, app.now)));
            cells.push(Cell::from(glyphs(p, theme)));
            let row_style = if row == table.selected() {
                style::selection(theme)
            } else {
                style::text(theme)
            };
            Row::new(cells).style(row_style)
        });
        Table::new(rows, widths)
            .header(header)
            .column_spacing(spacing)
            .render(area, buf);
    }
}

/// One glyph per container in spec order (init, regular, ephemeral), coloured by state.
pub fn glyphs<'a>(p: &'a PodInsight, theme: &Theme) -> Line<'a> {
    let spans: Vec<Span> = p
        .containers()
        .map(|(c, r)| {
            Span::styled(
                style::role_glyph(r.role, r.native_sidecar),
                Style::new().fg(style::state_color(theme, c.state_kind())),
            )
        })
        .collect();
    Line::from(spans)
}

/// The name with the characters the filter matched highlighted.
fn highlighted<'a>(name: &'a str, filter: &Filter, theme: &Theme) -> Line<'a> {
    if filter.is_empty() {
        return Line::from(name);
    }
    let hits = filter.positions(name);
    if hits.is_empty() {
        return Line::from(name);
    }
    let spans: Vec<Span> = name
        .char_indices()
        .enumerate()
        .map(|(i, (byte, ch))| {
            let text = &name[byte..byte + ch.len_utf8()];
            if hits.binary_search(&i).is_ok() {
                Span::styled(text, style::matched(theme))
            } else {
                Span::raw(text)
            }
        })
        .collect();
    Line::from(spans)
}

fn has_many_namespaces(app: &App) -> bool {
    let pods = app.table.pods();
    pods.first()
        .zip(pods.last())
        .is_some_and(|(a, b)| a.pod.namespace != b.pod.namespace)
}

fn empty<'a>(app: &'a App, theme: &Theme) -> Paragraph<'a> {
    let text = if !app.table.filter_text().is_empty() {
        format!(
            "No pod matches /{} (esc clears the filter).",
            app.table.filter_text()
        )
    } else if app.table.problems_only() && !app.table.pods().is_empty() {
        "No pod has a problem podscope can see (! shows every pod again).".to_string()
    } else {
        match (&app.connection, &app.table.scope) {
            (Connection::Connecting, _) => "Waiting for the first list of pods…".to_string(),
            (Connection::Reconnecting { .. }, _) => {
                "No pods yet: the cluster cannot be reached (see the header); retrying.".to_string()
            }
            (_, Scope::Namespace(ns)) => {
                format!("No pods in namespace {ns} (:ns all shows every namespace).")
            }
            (_, Scope::All) => "No pods.".to_string(),
        }
    };
    Paragraph::new(Line::from(Span::styled(text, style::muted(theme))))
}
