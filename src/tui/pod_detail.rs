//! The selected container in detail: role with confidence and evidence, state, ports,
//! mounts, the pattern it follows in plain words, and the kubectl commands for it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::container_spec;
use super::pattern_note::pattern_note;
use super::pod_events::event_lines;
use super::style;
use crate::model::pod::{ContainerState, ContainerStatus};
use crate::model::role::ROLE_ANNOTATION_PREFIX;
use crate::model::{Confidence, Container, PodInsight, volume::volume_matrix};
use crate::state::App;
use crate::state::pod_details::findings_of;
use crate::state::pod_view::state_age;
use crate::theme::Theme;

pub struct ContainerDetail<'a> {
    pub app: &'a App,
    pub insight: &'a PodInsight,
    /// Index into `pod.containers`.
    pub index: usize,
    pub scroll: u16,
    pub theme: &'a Theme,
}

impl Widget for ContainerDetail<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let (app, insight, theme) = (self.app, self.insight, self.theme);
        let c = &insight.pod.containers[self.index];
        let r = &insight.roles[self.index];
        let role_name = if r.native_sidecar {
            format!("{} (native sidecar)", r.role)
        } else {
            r.role.to_string()
        };
        let mut lines: Vec<Line> = Vec::new();
        let label = |text: &'static str| Span::styled(text, style::muted(theme));
        let width = area.width.saturating_sub(2) as usize;
        for f in findings_of(app, insight)
            .iter()
            .filter(|f| f.container.as_deref() == Some(c.name.as_str()))
        {
            lines.push(Line::from(vec![
                label("Problem    "),
                Span::styled(
                    format!("{} {}", style::severity_glyph(f.severity), f.headline),
                    style::severity(theme, f.severity),
                ),
            ]));
            for e in &f.evidence {
                lines.extend(hanging(
                    &format!("• {e}"),
                    INDENT + 2,
                    width,
                    style::text(theme),
                ));
            }
            for n in &f.next {
                let key = f
                    .key
                    .map(|k| format!("  ({} here)", k.key()))
                    .unwrap_or_default();
                lines.extend(hanging(
                    &format!("→ {n}{key}"),
                    INDENT + 2,
                    width,
                    style::muted(theme),
                ));
            }
            if let Some(fix) = &f.fix {
                for l in fix.lines() {
                    lines.push(Line::from(Span::styled(
                        format!("{:INDENT$}{l}", ""),
                        style::muted(theme),
                    )));
                }
            }
        }
        lines.push(Line::from(vec![
            label("Role       "),
            Span::styled(role_name, style::role(theme, r.role, r.native_sidecar)),
            Span::styled(
                format!("  · confidence {}", r.confidence),
                style::muted(theme),
            ),
        ]));
        for why in &r.evidence {
            lines.extend(hanging(
                &format!("• {why}"),
                INDENT + 2,
                width,
                style::text(theme),
            ));
        }
        if r.confidence == Confidence::Low {
            lines.extend(hanging(
                &format!(
                    "a guess: annotate the pod {ROLE_ANNOTATION_PREFIX}{}=<role> (or add a [[roles]] rule) to settle it",
                    c.name
                ),
                INDENT + 2,
                width,
                style::muted(theme),
            ));
        }
        lines.push(Line::from(vec![
            label("Image      "),
            Span::styled(c.image.as_deref().unwrap_or("(none)"), style::text(theme)),
        ]));
        match &c.status {
            Some(s) => lines.extend(status_lines(s, app, theme)),
            None => lines.push(Line::from(vec![
                label("State      "),
                Span::styled(
                    "no status (not scheduled, or a manifest file)",
                    style::muted(theme),
                ),
            ])),
        }
        if !c.ports.is_empty() {
            let ports: Vec<String> = c
                .ports
                .iter()
                .map(|p| match &p.name {
                    Some(n) => format!("{}/{} ({n})", p.container_port, p.protocol),
                    None => format!("{}/{}", p.container_port, p.protocol),
                })
                .collect();
            lines.push(Line::from(vec![
                label("Ports      "),
                Span::styled(ports.join(", "), style::text(theme)),
            ]));
        }
        lines.extend(mount_lines(insight, c, theme));
        if let Some(line) = usage_line(app, insight, c, theme) {
            lines.push(line);
        }
        lines.extend(container_spec::render_lines(c, theme, width));
        if let Some(d) = insight
            .default_container
            .as_ref()
            .filter(|d| d.name == c.name)
        {
            let why = match &d.notice {
                Some(n) => format!("kubectl uses it without -c ({})", n.replace('\n', "; ")),
                None => "kubectl uses it without -c (the default-container annotation)".to_string(),
            };
            let mut wrapped = hanging(&why, INDENT, width, style::text(theme));
            if let Some(first) = wrapped.first_mut() {
                first.spans[0] = label("Default    ");
            }
            lines.extend(wrapped);
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("kubectl", style::title(theme))));
        lines.push(Line::from(vec![
            Span::styled("c ", style::muted(theme)),
            Span::styled(app.kubectl.exec(&insight.pod, &c.name), style::text(theme)),
        ]));
        lines.push(Line::from(vec![
            Span::styled("C ", style::muted(theme)),
            Span::styled(app.kubectl.logs(&insight.pod, &c.name), style::text(theme)),
        ]));
        let events = event_lines(app, &c.name, theme);
        if !events.is_empty() {
            lines.push(Line::default());
            lines.extend(events);
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled("The pattern", style::title(theme))));
        lines.push(Line::from(Span::styled(
            pattern_note(insight, self.index),
            style::text(theme),
        )));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.scroll, 0))
            .block(
                Block::bordered()
                    .border_style(style::border(theme, true))
                    .title(Span::styled(format!(" {} ", c.name), style::title(theme))),
            )
            .render(area, buf);
    }
}

/// CPU and memory in use against requests and limits, or why they are not known.
fn usage_line<'a>(
    app: &App,
    insight: &PodInsight,
    c: &Container,
    theme: &Theme,
) -> Option<Line<'a>> {
    use crate::model::usage::{
        MetricsStatus, against, bytes, cpu_cell, cpu_nanocores, memory_cell,
    };
    let key = (
        insight.pod.namespace.clone(),
        insight.pod.name.clone(),
        c.name.clone(),
    );
    let text = match (&app.metrics, app.usage.get(&key)) {
        (_, Some(u)) => format!(
            "cpu {} · memory {}",
            against(u.nanocores, "cpu", &c.resources, cpu_nanocores, cpu_cell),
            against(u.bytes, "memory", &c.resources, bytes, memory_cell)
        ),
        (MetricsStatus::Unavailable(why), None) => format!("not known: {why}"),
        (MetricsStatus::Available, None) if c.status.is_some() => {
            "no metrics for it yet (the metrics API lists running pods only)".to_string()
        }
        _ => return None,
    };
    Some(Line::from(vec![
        Span::styled("Usage      ", style::muted(theme)),
        Span::styled(text, style::text(theme)),
    ]))
}

/// Width of the labels in the left margin.
const INDENT: usize = 11;

/// `text` word-wrapped to `width` columns, every line indented by `indent` spaces.
pub(super) fn hanging<'a>(
    text: &str,
    indent: usize,
    width: usize,
    style: ratatui::style::Style,
) -> Vec<Line<'a>> {
    let room = width.saturating_sub(indent).max(10);
    let mut rows: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        let current = rows.last_mut().expect("never empty");
        let used = current.chars().count();
        if used > 0 && used + 1 + word.chars().count() > room {
            rows.push(word.to_string());
        } else {
            if used > 0 {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    rows.into_iter()
        .map(|row| {
            Line::from(vec![
                Span::raw(" ".repeat(indent)),
                Span::styled(row, style),
            ])
        })
        .collect()
}

fn status_lines<'a>(s: &ContainerStatus, app: &App, theme: &Theme) -> Vec<Line<'a>> {
    let label = |text: &'static str| Span::styled(text, style::muted(theme));
    let mut lines = vec![Line::from(vec![
        label("State      "),
        Span::styled(state_text(&s.state, app), style::text(theme)),
    ])];
    if let ContainerState::Waiting {
        message: Some(m), ..
    } = &s.state
    {
        lines.push(Line::from(vec![
            label("           "),
            Span::styled(m.clone(), style::muted(theme)),
        ]));
    }
    if let Some(last) = &s.last_state {
        lines.push(Line::from(vec![
            label("Last state "),
            Span::styled(state_text(last, app), style::text(theme)),
        ]));
    }
    lines.push(Line::from(vec![
        label("Ready      "),
        Span::styled(
            format!(
                "{} · restarts {}",
                if s.ready { "yes" } else { "no" },
                s.restart_count
            ),
            style::text(theme),
        ),
    ]));
    lines
}

fn state_text(state: &ContainerState, app: &App) -> String {
    let summary = state.summary();
    match (state, state_age(state, app.now)) {
        (ContainerState::Running { .. }, Some(ago)) => format!("{summary} for {ago}"),
        (ContainerState::Terminated { .. }, Some(ago)) => format!("{summary}, {ago} ago"),
        _ => summary,
    }
}

fn mount_lines<'a>(insight: &'a PodInsight, c: &Container, theme: &Theme) -> Vec<Line<'a>> {
    let matrix = volume_matrix(&insight.pod);
    let mut lines = Vec::new();
    for (n, m) in c.mounts.iter().enumerate() {
        let mode = if m.read_only { "ro" } else { "rw" };
        let mut text = format!("{} → {} ({mode})", m.volume, m.path);
        if let Some(sub) = m.sub_path.as_deref().or(m.sub_path_expr.as_deref()) {
            text.push_str(&format!(" subPath {sub}"));
        }
        let others: Vec<String> = matrix
            .iter()
            .filter(|u| u.volume.name == m.volume)
            .flat_map(|u| u.mounts.iter())
            .filter(|cell| cell.container != c.name)
            .map(|cell| format!("{} at {}", cell.container, cell.path))
            .collect();
        let mut spans = vec![
            Span::styled(
                if n == 0 { "Mounts     " } else { "           " },
                style::muted(theme),
            ),
            Span::styled(text, style::text(theme)),
        ];
        if !others.is_empty() {
            spans.push(Span::styled(
                format!("  shared with {}", others.join(", ")),
                style::shared(theme),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}
