//! The volumes view: the volume × container matrix (mountPath, ro/rw, subPath per cell) with
//! each volume's kind and source, shared volumes highlighted, then the network panel (ports
//! per container, `localhost` links) and the lint warnings.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::style;
use crate::model::volume::volume_matrix;
use crate::model::{PodInsight, localhost_links};
use crate::state::{App, VolumesView as ViewState};
use crate::theme::Theme;

pub struct VolumesView<'a> {
    pub app: &'a App,
    pub view: &'a ViewState,
    pub theme: &'a Theme,
}

impl Widget for VolumesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let Some(insight) = self.app.table.find(&self.view.namespace, &self.view.name) else {
            gone(&self.view.namespace, &self.view.name, theme).render(area, buf);
            return;
        };
        let mut lines = matrix_lines(insight, theme);
        lines.push(Line::default());
        lines.extend(network_lines(insight, theme));
        if !insight.lints.is_empty() {
            lines.push(Line::default());
            lines.push(Line::from(Span::styled("Checks", style::title(theme))));
            for lint in &insight.lints {
                lines.push(Line::from(Span::styled(
                    format!("⚠ {lint}"),
                    style::warning(theme),
                )));
            }
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((self.view.scroll, 0))
            .block(
                Block::bordered()
                    .border_style(style::border(theme, true))
                    .title(Span::styled(
                        format!(" Volumes of {} ", insight.pod.name),
                        style::title(theme),
                    )),
            )
            .render(area, buf);
    }
}

/// What a view of one pod says when the pod has gone from the list.
pub(super) fn gone<'a>(namespace: &str, name: &str, theme: &Theme) -> Paragraph<'a> {
    Paragraph::new(Span::styled(
        format!("Pod {namespace}/{name} is gone. esc goes back."),
        style::warning(theme),
    ))
}

/// `text` cut or filled to `width` columns, then two spaces of gap. Width counts chars, which
/// is the column count for the names and paths shown here.
fn pad(text: &str, width: usize) -> String {
    let width = width.saturating_sub(2);
    let len = text.chars().count();
    if len > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        if width > 0 {
            cut.push('…');
        }
        cut + "  "
    } else {
        format!("{text}{}  ", " ".repeat(width - len))
    }
}

fn matrix_lines<'a>(insight: &'a PodInsight, theme: &Theme) -> Vec<Line<'a>> {
    let pod = &insight.pod;
    let matrix = volume_matrix(pod);
    if matrix.is_empty() {
        return vec![Line::from(Span::styled(
            "This pod declares no volumes: its containers share nothing on disk.",
            style::muted(theme),
        ))];
    }
    let names: Vec<&str> = pod.containers.iter().map(|c| c.name.as_str()).collect();
    let cell = |u: &crate::model::volume::VolumeUse, c: &str| -> String {
        u.mounts
            .iter()
            .filter(|m| m.container == c)
            .map(|m| {
                let mut t = format!("{} {}", m.path, if m.read_only { "ro" } else { "rw" });
                if let Some(s) = m.sub_path {
                    t.push_str(&format!(" sub={s}"));
                }
                t
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let vol_w = matrix
        .iter()
        .map(|u| u.volume.name.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 24);
    let kind_w = matrix
        .iter()
        .map(|u| u.volume.source.kind().len())
        .max()
        .unwrap_or(4)
        .clamp(4, 21);
    let col_w: Vec<usize> = names
        .iter()
        .map(|n| {
            let widest = matrix
                .iter()
                .map(|u| cell(u, n).chars().count())
                .max()
                .unwrap_or(0);
            widest.max(n.chars().count()).clamp(6, 28)
        })
        .collect();
    let mut header = vec![
        Span::styled(pad("VOLUME", vol_w + 2), style::title(theme)),
        Span::styled(pad("KIND", kind_w + 2), style::title(theme)),
    ];
    for ((c, r), w) in insight.containers().zip(&col_w) {
        header.push(Span::styled(
            pad(&c.name, w + 2),
            style::role(theme, r.role, r.native_sidecar)
                .add_modifier(ratatui::style::Modifier::BOLD),
        ));
    }
    let mut lines = vec![Line::from(header)];
    for u in &matrix {
        let shared = u.shared();
        let name_style = if shared {
            style::shared(theme)
        } else {
            style::text(theme)
        };
        let mut spans = vec![
            Span::styled(pad(&u.volume.name, vol_w + 2), name_style),
            Span::styled(pad(u.volume.source.kind(), kind_w + 2), style::muted(theme)),
        ];
        for (n, w) in names.iter().zip(&col_w) {
            let text = cell(u, n);
            let (text, s) = if text.is_empty() {
                ("·".to_string(), style::muted(theme))
            } else if shared {
                (text, style::shared(theme))
            } else {
                (text, style::text(theme))
            };
            spans.push(Span::styled(pad(&text, w + 2), s));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Sources", style::title(theme))));
    for u in &matrix {
        let detail = u.volume.source.detail();
        let users = u.mounts.len();
        let mut spans = vec![
            Span::styled(pad(&u.volume.name, vol_w + 2), style::text(theme)),
            Span::styled(u.volume.source.kind().to_string(), style::muted(theme)),
        ];
        if !detail.is_empty() {
            spans.push(Span::styled(format!(" {detail}"), style::text(theme)));
        }
        if u.shared() {
            spans.push(Span::styled(
                format!("  shared by {users} mounts"),
                style::shared(theme),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

fn network_lines<'a>(insight: &'a PodInsight, theme: &Theme) -> Vec<Line<'a>> {
    let pod = &insight.pod;
    let mut lines = vec![
        Line::from(Span::styled("Network", style::title(theme))),
        Line::from(Span::styled(
            "All containers of a pod share one network namespace: they reach each other on localhost, and two cannot listen on the same port.",
            style::muted(theme),
        )),
    ];
    for (c, r) in insight.containers().filter(|(c, _)| c.is_long_running()) {
        let ports = if c.ports.is_empty() {
            "no declared ports".to_string()
        } else {
            c.ports
                .iter()
                .map(|p| format!("{}/{}", p.container_port, p.protocol))
                .collect::<Vec<_>>()
                .join(", ")
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<20}", c.name),
                style::role(theme, r.role, r.native_sidecar),
            ),
            Span::styled(ports, style::text(theme)),
        ]));
    }
    let links = localhost_links(pod);
    if links.is_empty() {
        lines.push(Line::from(Span::styled(
            "  No container names another's localhost port.",
            style::muted(theme),
        )));
    }
    for l in links {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} → {}", l.from, l.to),
                Style::new().fg(theme.ui.shared.0),
            ),
            Span::styled(format!("  at {}", l.address), style::text(theme)),
        ]));
    }
    lines
}
