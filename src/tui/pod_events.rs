//! The open pod's events in the details panel, newest first, as `kubectl describe` lists
//! them: type, reason, age (and how often), the container, the message.

use ratatui::text::{Line, Span};

use super::style;
use crate::model::event::PodEvent;
use crate::model::printing::human_duration;
use crate::state::App;
use crate::theme::Theme;

/// At most this many events are shown; the newest matter.
const SHOWN: usize = 12;

/// The lines of the Events section for the pod open in `app`; `container` is the selected
/// one, whose events stand out. Empty when no events are known (manifest files).
pub fn event_lines<'a>(app: &'a App, container: &str, theme: &Theme) -> Vec<Line<'a>> {
    let Some(d) = app.details.as_ref() else {
        return Vec::new();
    };
    let mut lines = vec![Line::from(Span::styled(
        "Events (newest first)",
        style::title(theme),
    ))];
    if d.events.is_empty() {
        lines.push(Line::from(Span::styled("  none yet", style::muted(theme))));
        return lines;
    }
    for e in d.events.iter().take(SHOWN) {
        lines.push(event_line(app, e, container, theme));
    }
    if d.events.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … {} older", d.events.len() - SHOWN),
            style::muted(theme),
        )));
    }
    lines
}

fn event_line<'a>(app: &App, e: &'a PodEvent, container: &str, theme: &Theme) -> Line<'a> {
    let age = |t: Option<k8s_openapi::jiff::Timestamp>| {
        t.map(|t| human_duration(app.now.as_second() - t.as_second()))
            .unwrap_or_else(|| "?".to_string())
    };
    let when = if e.count > 1 {
        format!("{} (x{})", age(e.last_seen), e.count)
    } else {
        age(e.last_seen)
    };
    let mine = e.container.as_deref() == Some(container);
    let text = if mine {
        style::text(theme)
    } else {
        style::muted(theme)
    };
    let kind = if e.is_warning() {
        Span::styled("Warning ", style::warning(theme))
    } else {
        Span::styled("Normal  ", style::muted(theme))
    };
    let about = e
        .container
        .as_deref()
        .map(|c| format!("{c}: "))
        .unwrap_or_default();
    Line::from(vec![
        Span::raw("  "),
        kind,
        Span::styled(format!("{:<16} {:<10} ", e.reason, when), text),
        Span::styled(format!("{about}{}", e.message), text),
    ])
}
