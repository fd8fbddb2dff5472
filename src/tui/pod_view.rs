//! The pod view: the pod's containers grouped in start order (init sequence, native sidecars,
//! main, sidecars, adapters, ambassadors, ephemeral), and below them the selected
//! container's details.

use std::cell::RefCell;

use crate::state::mouse::{Hit, Target};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::pod_detail::ContainerDetail;
use super::style;
use crate::model::findings::Severity;
use crate::model::printing::age;
use crate::model::usage::{cpu_cell, memory_cell};
use crate::model::{Confidence, Container, PodInsight, RoleAssessment};
use crate::state::pod_details::findings_of;
use crate::state::pod_view::state_age;
use crate::state::{App, PodView as ViewState, display_order};
use crate::theme::Theme;

pub struct PodView<'a> {
    pub app: &'a App,
    pub view: &'a ViewState,
    pub theme: &'a Theme,
    /// Where the containers are, for the mouse.
    pub hits: &'a RefCell<Vec<Hit>>,
}

impl Widget for PodView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, theme) = (self.app, self.theme);
        let Some(insight) = app.table.find(&self.view.namespace, &self.view.name) else {
            Paragraph::new(Span::styled(
                format!(
                    "Pod {}/{} is gone (deleted, or outside the namespace shown). esc goes back.",
                    self.view.namespace, self.view.name
                ),
                style::warning(theme),
            ))
            .render(area, buf);
            return;
        };
        let order = display_order(insight);
        let selected = self.view.selected.min(order.len().saturating_sub(1));
        let mut lines: Vec<Line> = Vec::new();
        let findings = findings_of(app, insight);
        if !findings.is_empty() {
            lines.push(Line::from(Span::styled(
                "Problems",
                style::severity(theme, Severity::Error),
            )));
            for f in findings {
                lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(
                        style::severity_glyph(f.severity),
                        style::severity(theme, f.severity),
                    ),
                    Span::raw(" "),
                    Span::styled(f.headline.as_str(), style::text(theme)),
                ]));
            }
        }
        let mut last_group = None;
        let mut selected_line = 0u16;
        // The line each container is on, for the mouse.
        let mut container_lines: Vec<(u16, usize)> = Vec::new();
        for (pos, &(group, i)) in order.iter().enumerate() {
            if last_group != Some(group) {
                lines.push(Line::from(Span::styled(
                    group.heading(),
                    style::muted(theme),
                )));
                last_group = Some(group);
            }
            let (c, r) = (&insight.pod.containers[i], &insight.roles[i]);
            if pos == selected {
                selected_line = lines.len() as u16;
            }
            container_lines.push((lines.len() as u16, pos));
            lines.push(container_line(app, insight, c, r, pos == selected, theme));
        }
        let list_height = (lines.len() as u16 + 2).min(area.height / 2).max(3);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(list_height), Constraint::Min(0)]).areas(area);
        let title = pod_title(insight, app);
        // Keep the selected line visible when the list is taller than its box.
        let inner = list_height.saturating_sub(2);
        let scroll = selected_line.saturating_sub(inner.saturating_sub(1));
        self.hits.borrow_mut().extend(
            container_lines
                .iter()
                .filter(|(line, _)| *line >= scroll && *line - scroll < inner)
                .map(|&(line, pos)| Hit {
                    x: top.x + 1,
                    y: top.y + 1 + (line - scroll),
                    width: top.width.saturating_sub(2),
                    height: 1,
                    target: Target::Container(pos),
                }),
        );
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(
                Block::bordered()
                    .border_style(style::border(theme, false))
                    .title(Span::styled(title, style::title(theme))),
            )
            .render(top, buf);
        if let Some(&(_, i)) = order.get(selected) {
            ContainerDetail {
                app,
                insight,
                index: i,
                scroll: self.view.detail_scroll,
                theme,
            }
            .render(bottom, buf);
        }
    }
}

fn pod_title(insight: &PodInsight, app: &App) -> String {
    let pod = &insight.pod;
    let mut parts = vec![
        format!("Pod {}", pod.name),
        format!("ns {}", pod.namespace),
        insight.summary.status.clone(),
        format!("ready {}", insight.summary.ready_cell()),
    ];
    if pod.created.is_some() {
        parts.push(format!("age {}", age(pod, app.now)));
    }
    if let Some(node) = &pod.node {
        parts.push(format!("node {node}"));
    }
    if let Some(ip) = &pod.pod_ip {
        parts.push(format!("IP {ip}"));
    }
    if let Some(qos) = &pod.qos_class {
        parts.push(format!("QoS {qos}"));
    }
    if let Some(sa) = pod.service_account.as_deref().filter(|sa| *sa != "default") {
        parts.push(format!("sa {sa}"));
    }
    if let Some(p) = &pod.priority_class {
        parts.push(format!("priority {p}"));
    }
    if pod.share_process_namespace {
        parts.push("shared PID namespace".to_string());
    }
    if pod.host_network {
        parts.push("host network".to_string());
    }
    format!(" {} ", parts.join(" · "))
}

fn container_line<'a>(
    app: &App,
    insight: &PodInsight,
    c: &'a Container,
    r: &RoleAssessment,
    selected: bool,
    theme: &Theme,
) -> Line<'a> {
    let kind = c.state_kind();
    let mut spans = vec![
        Span::raw("  "),
        Span::styled(
            style::role_glyph(r.role, r.native_sidecar),
            Style::new().fg(style::state_color(theme, kind)),
        ),
        Span::raw(" "),
        Span::styled(
            format!("{:<18}", c.name),
            style::role(theme, r.role, r.native_sidecar).add_modifier(Modifier::BOLD),
        ),
    ];
    let mut role = if r.native_sidecar {
        "native sidecar".to_string()
    } else {
        r.role.to_string()
    };
    // A low-confidence role is a guess: say so where the role is read.
    if r.confidence == Confidence::Low {
        role.push('?');
    }
    spans.push(Span::styled(format!("{role:<15}"), style::muted(theme)));
    let own = findings_of(app, insight)
        .iter()
        .filter(|f| f.container.as_deref() == Some(c.name.as_str()))
        .map(|f| f.severity)
        .max();
    match own {
        Some(s) => spans.push(Span::styled(
            format!("{} ", style::severity_glyph(s)),
            style::severity(theme, s),
        )),
        None => spans.push(Span::raw("  ")),
    }
    let state = match &c.status {
        Some(s) => {
            let mut text = s.state.summary();
            if let Some(ago) = state_age(&s.state, app.now) {
                text.push_str(&format!(" {ago}"));
            }
            if s.restart_count > 0 {
                text.push_str(&format!(" · {} restarts", s.restart_count));
            }
            text
        }
        None => "no status".to_string(),
    };
    spans.push(Span::styled(
        format!("{state:<26}"),
        Style::new().fg(style::state_color(theme, kind)),
    ));
    let key = (
        insight.pod.namespace.clone(),
        insight.pod.name.clone(),
        c.name.clone(),
    );
    if let Some(u) = app.usage.get(&key) {
        spans.push(Span::styled(
            format!(" {:>5} {:>6}", cpu_cell(u.nanocores), memory_cell(u.bytes)),
            style::muted(theme),
        ));
    }
    if insight
        .default_container
        .as_ref()
        .is_some_and(|d| d.name == c.name)
    {
        spans.push(Span::styled(" default", style::muted(theme)));
    }
    let line = Line::from(spans);
    if selected {
        line.style(style::selection(theme))
    } else {
        line
    }
}
