//! Findings from what the kubelet and the scheduler said (the pod's events, in their own
//! message formats: `reference/k8s-writes.md` §11): failing probes, volumes that cannot be
//! mounted, images that cannot be pulled, a pod no node can take.

use std::collections::BTreeMap;

use crate::model::event::PodEvent;
use crate::model::pod::{Container, Pod, PortRef, Probe, ProbeAction, ProbeKind};

use super::{Finding, FindingCode, NextKey, Observed, Severity, describe_command, since};

pub(super) fn findings(pod: &Pod, seen: &Observed, events: &[&PodEvent], out: &mut Vec<Finding>) {
    probes(pod, seen, events, out);
    mounts(pod, events, out);
    scheduling(pod, events, out);
}

/// `Readiness probe failed: HTTP probe failed with statuscode: 503`, grouped by container and
/// probe, with how often and how recently.
fn probes(pod: &Pod, seen: &Observed, events: &[&PodEvent], out: &mut Vec<Finding>) {
    let mut failing: BTreeMap<(String, &str), (i32, &PodEvent)> = BTreeMap::new();
    for e in events.iter().filter(|e| e.reason == "Unhealthy") {
        let Some(container) = &e.container else {
            continue;
        };
        let Some((kind, _)) = e.message.split_once(" probe failed") else {
            continue;
        };
        let entry = failing.entry((container.clone(), kind)).or_insert((0, e));
        entry.0 += e.count;
        if e.last_seen > entry.1.last_seen {
            entry.1 = e;
        }
    }
    for ((container, kind), (count, newest)) in failing {
        let output = newest
            .message
            .split_once("probe failed:")
            .map(|(_, m)| m.trim())
            .filter(|m| !m.is_empty())
            .unwrap_or("(no output)");
        let when = since(newest.last_seen, seen.now)
            .map(|d| format!(", last {d} ago"))
            .unwrap_or_default();
        let times = if count == 1 {
            "once".to_string()
        } else {
            format!("{count} times")
        };
        let restarted = events.iter().any(|e| {
            e.reason == "Killing"
                && e.container.as_deref() == Some(&container)
                && e.message.contains("failed")
                && e.message.contains("probe")
        });
        let c = pod.container(&container);
        let mut evidence = vec![format!("{kind} probe failed {times}{when}: {output}")];
        if let Some(p) = c.and_then(|c| c.probes.iter().find(|p| probe_name(p.kind) == kind)) {
            evidence.push(format!("the probe: {}", probe_target(p)));
        }
        if restarted {
            evidence.push(format!("the kubelet restarted {container} for it"));
        }
        let severity = if kind == "Liveness" || restarted {
            Severity::Error
        } else {
            Severity::Warning
        };
        out.push(Finding {
            severity,
            code: FindingCode::ProbeFailing,
            container: Some(container.clone()),
            headline: format!(
                "{container}'s {} probe is failing: {output}",
                kind.to_lowercase()
            ),
            evidence,
            next: vec![
                describe_command(pod),
                super::logs_command(pod, &container, false),
            ],
            key: Some(NextKey::Logs),
            fix: None,
        });
    }
}

fn probe_name(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Liveness => "Liveness",
        ProbeKind::Readiness => "Readiness",
        ProbeKind::Startup => "Startup",
    }
}

/// What a probe checks, in a few words: `GET /healthz on port 8080`.
pub fn probe_target(p: &Probe) -> String {
    let port = |r: &PortRef| match r {
        PortRef::Number(n) => n.to_string(),
        PortRef::Name(n) => n.clone(),
    };
    match &p.action {
        ProbeAction::HttpGet { path, port: p } => {
            format!("GET {} on port {}", path.as_deref().unwrap_or("/"), port(p))
        }
        ProbeAction::TcpSocket { port: p } => format!("TCP connect to port {}", port(p)),
        ProbeAction::Grpc { port } => format!("gRPC health check on port {port}"),
        ProbeAction::Exec { command } => format!("runs `{}`", command.join(" ")),
        ProbeAction::None => "no handler".to_string(),
    }
}

/// `MountVolume.SetUp failed for volume "cfg" : configmap "nope" not found`.
fn mounts(pod: &Pod, events: &[&PodEvent], out: &mut Vec<Finding>) {
    let mut seen_volumes: Vec<String> = Vec::new();
    for e in events
        .iter()
        .filter(|e| matches!(e.reason.as_str(), "FailedMount" | "FailedAttachVolume"))
    {
        let volume = quoted_after(&e.message, "volume ").unwrap_or_default();
        if seen_volumes.contains(&volume) {
            continue;
        }
        seen_volumes.push(volume.clone());
        let cause = e
            .message
            .rsplit_once(" : ")
            .map(|(_, c)| c.to_string())
            .unwrap_or_else(|| e.message.clone());
        let users: Vec<&str> = pod
            .containers
            .iter()
            .filter(|c| c.mount_of(&volume).is_some())
            .map(|c| c.name.as_str())
            .collect();
        let mut evidence = vec![format!("{} ({}×): {}", e.reason, e.count, e.message)];
        if !users.is_empty() {
            evidence.push(format!(
                "mounted by {}, which cannot start until it is",
                users.join(", ")
            ));
        }
        let headline = if volume.is_empty() {
            format!("a volume cannot be mounted: {cause}")
        } else {
            format!(
                "volume {volume} cannot be mounted: {}",
                cause.replace('"', "")
            )
        };
        out.push(Finding {
            severity: Severity::Error,
            code: FindingCode::MountFailed,
            container: None,
            headline,
            evidence,
            next: vec![describe_command(pod)],
            key: Some(NextKey::Yaml),
            fix: None,
        });
    }
}

/// The text between the quotes after `prefix`: `volume "cfg"` → `cfg`.
fn quoted_after(text: &str, prefix: &str) -> Option<String> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let rest = rest.strip_prefix('"')?;
    rest.split_once('"').map(|(v, _)| v.to_string())
}

/// `0/3 nodes are available: 3 Insufficient cpu. ...`, from the scheduler's event or the
/// PodScheduled condition.
fn scheduling(pod: &Pod, events: &[&PodEvent], out: &mut Vec<Finding>) {
    let condition = pod.conditions.iter().find(|c| {
        c.kind == "PodScheduled" && !c.status && c.reason.as_deref() == Some("Unschedulable")
    });
    let event = events
        .iter()
        .filter(|e| e.reason == "FailedScheduling")
        .max_by_key(|e| e.last_seen);
    if condition.is_none() && (event.is_none() || pod.node.is_some()) {
        return;
    }
    let message = event
        .map(|e| e.message.clone())
        .or_else(|| condition.and_then(|c| c.message.clone()))
        .unwrap_or_else(|| "no node fits it".to_string());
    // The part before "preemption:" says why; the rest why evicting others would not help.
    let why = message
        .split(" preemption:")
        .next()
        .unwrap_or(&message)
        .trim_end_matches('.')
        .to_string();
    let mut evidence = vec![format!("scheduler: {message}")];
    if let Some(e) = event.filter(|e| e.count > 1) {
        evidence.push(format!("tried {} times", e.count));
    }
    out.push(Finding {
        severity: Severity::Error,
        code: FindingCode::Unschedulable,
        container: None,
        headline: format!("no node can take it: {why}"),
        evidence,
        next: vec![describe_command(pod), "kubectl describe nodes".to_string()],
        key: None,
        fix: None,
    });
}

/// An image that cannot be pulled, with the registry's reason in plain words.
pub(super) fn image_pull(
    pod: &Pod,
    c: &Container,
    reason: &str,
    message: Option<&str>,
    events: &[&PodEvent],
) -> Finding {
    let image = c.image.as_deref().unwrap_or("(no image)");
    let pull_error = events
        .iter()
        .filter(|e| {
            e.container.as_deref() == Some(&c.name)
                && e.reason == "Failed"
                && e.message.starts_with("Failed to pull image")
        })
        .max_by_key(|e| e.last_seen)
        .map(|e| e.message.clone())
        .or(message.map(str::to_string));
    let cause = pull_error
        .as_deref()
        .map(pull_cause)
        .unwrap_or(match reason {
            "InvalidImageName" => "the image name is not valid",
            "ErrImageNeverPull" => "imagePullPolicy is Never and the node does not have it",
            _ => "the pull failed",
        });
    let mut evidence = vec![format!("waiting: {reason}")];
    if let Some(m) = &pull_error {
        evidence.push(m.clone());
    }
    Finding {
        severity: Severity::Error,
        code: FindingCode::ImagePull,
        container: Some(c.name.clone()),
        headline: format!("{}'s image {image} cannot be pulled: {cause}", c.name),
        evidence,
        next: vec![describe_command(pod)],
        key: Some(NextKey::Yaml),
        fix: None,
    }
}

/// The registry's answer, in the words a person needs.
fn pull_cause(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("toomanyrequests") || m.contains("rate limit") {
        "the registry's pull rate limit was reached"
    } else if m.contains("repository does not exist") {
        "the repository does not exist, or it is private and needs imagePullSecrets"
    } else if m.contains("unauthorized")
        || m.contains("authentication required")
        || m.contains("pull access denied")
        || m.contains("403 forbidden")
        || m.contains("denied")
    {
        "the registry refused access (a private image needs imagePullSecrets)"
    } else if m.contains("not found") || m.contains("manifest unknown") {
        "no such image or tag"
    } else if m.contains("no such host")
        || m.contains("i/o timeout")
        || m.contains("connection refused")
    {
        "the registry cannot be reached from the node"
    } else {
        "the pull failed"
    }
}
