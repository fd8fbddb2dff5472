//! The rest of a container's spec in the details panel, as an on-call engineer reads it:
//! probes with their timing, requests and limits, environment variable names with where
//! their values come from (never the values), the security context's essentials, lifecycle
//! hooks.

use ratatui::text::{Line, Span};

use super::style;
use crate::model::pod::{Container, EnvSource, EnvValue, ProbeKind};
use crate::theme::Theme;

/// (label, text) for each part of the spec that is set.
pub fn spec_lines(c: &Container) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for p in &c.probes {
        let kind = match p.kind {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        };
        let mut timing = Vec::new();
        if let Some(d) = p.initial_delay.filter(|d| *d > 0) {
            timing.push(format!("after {d}s"));
        }
        timing.push(format!("every {}s", p.period.unwrap_or(10)));
        timing.push(format!("timeout {}s", p.timeout.unwrap_or(1)));
        timing.push(format!("fails after {}", p.failure_threshold.unwrap_or(3)));
        out.push((
            "Probe      ",
            format!(
                "{kind}: {} · {}",
                crate::model::findings::probe_target(p),
                timing.join(", ")
            ),
        ));
    }
    let quantities = |m: &crate::model::str_map::StrMap| {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let r = &c.resources;
    if !r.requests.is_empty() || !r.limits.is_empty() {
        let mut parts = Vec::new();
        if !r.requests.is_empty() {
            parts.push(format!("requests {}", quantities(&r.requests)));
        }
        if !r.limits.is_empty() {
            parts.push(format!("limits {}", quantities(&r.limits)));
        }
        out.push(("Resources  ", parts.join(" · ")));
    }
    let mut env: Vec<String> = c
        .env
        .iter()
        .map(|v| {
            let from = match &v.value {
                EnvValue::Literal(_) => "value".to_string(),
                EnvValue::ConfigMapKey { name, key } => format!("configmap {name}/{key}"),
                EnvValue::SecretKey { name, key } => format!("secret {name}/{key}"),
                EnvValue::Field(f) => format!("field {f}"),
                EnvValue::Resource(r) => format!("resource {r}"),
                EnvValue::File { volume, path } => format!("file {volume}/{path}"),
                EnvValue::Unset => "empty".to_string(),
            };
            format!("{} ({from})", v.name)
        })
        .collect();
    env.extend(c.env_from.iter().map(|s| match s {
        EnvSource::ConfigMap { name, .. } => format!("all of configmap {name}"),
        EnvSource::Secret { name, .. } => format!("all of secret {name}"),
    }));
    if !env.is_empty() {
        out.push(("Env        ", env.join(", ")));
    }
    let s = &c.security;
    let mut security = Vec::new();
    if let Some(u) = s.run_as_user {
        security.push(format!("runs as user {u}"));
    } else if s.run_as_non_root == Some(true) {
        security.push("must not run as root".to_string());
    }
    if s.privileged {
        security.push("privileged".to_string());
    }
    if !s.capabilities_added.is_empty() {
        security.push(format!("adds {}", s.capabilities_added.join(", ")));
    }
    if !s.capabilities_dropped.is_empty() {
        security.push(format!("drops {}", s.capabilities_dropped.join(", ")));
    }
    if s.read_only_root {
        security.push("read-only root filesystem".to_string());
    }
    if s.allow_privilege_escalation == Some(false) {
        security.push("no privilege escalation".to_string());
    }
    if !security.is_empty() {
        out.push(("Security   ", security.join(" · ")));
    }
    for (hook, what) in &c.lifecycle {
        out.push(("Lifecycle  ", format!("{hook} {what}")));
    }
    out
}

/// The labelled lines, hanging under the label, wrapped to `width`.
pub fn render_lines<'a>(c: &Container, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    for (label, text) in spec_lines(c) {
        let mut wrapped = super::pod_detail::hanging(&text, label.len(), width, style::text(theme));
        if let Some(first) = wrapped.first_mut() {
            first.spans[0] = Span::styled(label, style::muted(theme));
        }
        lines.extend(wrapped);
    }
    lines
}
