//! What each kind of thing looks like, asked of the theme: components never name a colour.

use ratatui::style::{Color, Modifier, Style};

use crate::model::findings::Severity;
use crate::model::{ContainerRole, ContainerStateKind};
use crate::theme::Theme;

/// The glyph of a role in the CONTAINERS column and the pod view.
pub fn role_glyph(role: ContainerRole, native_sidecar: bool) -> &'static str {
    if native_sidecar {
        return "◇";
    }
    match role {
        ContainerRole::Main => "●",
        ContainerRole::Sidecar => "◆",
        ContainerRole::Adapter => "▲",
        ContainerRole::Ambassador => "▶",
        ContainerRole::Init => "○",
        ContainerRole::Ephemeral => "✚",
    }
}

pub fn state_color(theme: &Theme, kind: ContainerStateKind) -> Color {
    let s = &theme.states;
    match kind {
        ContainerStateKind::Running => s.running.0,
        ContainerStateKind::Starting | ContainerStateKind::Waiting => s.waiting.0,
        ContainerStateKind::Completed => s.completed.0,
        ContainerStateKind::Failed => s.failed.0,
        ContainerStateKind::CrashLoop => s.crashloop.0,
        ContainerStateKind::Unknown => theme.ui.muted.0,
    }
}

/// A pod STATUS cell's colour, from kubectl's status text.
pub fn pod_status_color(theme: &Theme, status: &str) -> Color {
    let s = &theme.states;
    match status {
        "Running" => s.running.0,
        "Completed" | "Succeeded" => s.completed.0,
        "CrashLoopBackOff" | "Init:CrashLoopBackOff" => s.crashloop.0,
        "" => theme.ui.muted.0,
        _ if status.contains("Err")
            || status.contains("BackOff")
            || status.contains("Error")
            || status.starts_with("Init:ExitCode")
            || status.starts_with("ExitCode")
            || status.starts_with("Signal")
            || status == "Failed"
            || status == "Evicted"
            || status == "OOMKilled" =>
        {
            s.failed.0
        }
        _ => s.waiting.0,
    }
}

pub fn text(theme: &Theme) -> Style {
    Style::new().fg(theme.ui.text.0)
}

pub fn muted(theme: &Theme) -> Style {
    let style = Style::new().fg(theme.ui.muted.0);
    if theme.is_monochrome() {
        style.add_modifier(Modifier::DIM)
    } else {
        style
    }
}

pub fn title(theme: &Theme) -> Style {
    Style::new()
        .fg(theme.ui.title.0)
        .add_modifier(Modifier::BOLD)
}

pub fn border(theme: &Theme, focused: bool) -> Style {
    if focused {
        Style::new().fg(theme.ui.border_focused.0)
    } else {
        Style::new().fg(theme.ui.border.0)
    }
}

/// The selected row: the theme's selection colours, reverse video without colours.
pub fn selection(theme: &Theme) -> Style {
    if theme.is_monochrome() {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
            .fg(theme.ui.selection_fg.0)
            .bg(theme.ui.selection_bg.0)
    }
}

/// Characters the filter matched.
pub fn matched(theme: &Theme) -> Style {
    if theme.is_monochrome() {
        Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    } else {
        Style::new().fg(theme.ui.match_fg.0).bg(theme.ui.match_bg.0)
    }
}

/// The mark of a finding's severity, in the pod list and the pod view.
pub fn severity_glyph(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "✗",
        Severity::Warning => "!",
        Severity::Info => "i",
    }
}

pub fn severity(theme: &Theme, severity: Severity) -> Style {
    match severity {
        Severity::Error => error(theme),
        Severity::Warning => warning(theme),
        Severity::Info => muted(theme),
    }
}

pub fn error(theme: &Theme) -> Style {
    Style::new()
        .fg(theme.ui.error.0)
        .add_modifier(Modifier::BOLD)
}

pub fn warning(theme: &Theme) -> Style {
    Style::new().fg(theme.ui.warning.0)
}

/// A volume two or more containers mount.
pub fn shared(theme: &Theme) -> Style {
    Style::new()
        .fg(theme.ui.shared.0)
        .add_modifier(Modifier::BOLD)
}

pub fn role(theme: &Theme, role: ContainerRole, native_sidecar: bool) -> Style {
    Style::new().fg(theme.role(role, native_sidecar))
}
