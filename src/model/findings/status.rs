//! Findings from the pod's own status: blocking or failed init containers, crashes and
//! restarts (OOMKilled against the memory limit), image pulls and config errors as the
//! container's waiting reason says them, a Job kept alive by a regular sidecar, a native
//! sidecar holding the app back, containers never ready, eviction, a long termination.

use crate::model::event::PodEvent;
use crate::model::pod::{Container, ContainerState, Pod, Section};

use super::{
    Finding, FindingCode, NextKey, Observed, Severity, describe_command, last_lines, logs_command,
    since,
};

/// How long a running container may be unready before it is worth saying.
const READY_GRACE_SECONDS: i64 = 120;

pub(super) fn findings(pod: &Pod, seen: &Observed, events: &[&PodEvent], out: &mut Vec<Finding>) {
    init_containers(pod, seen, out);
    for c in pod
        .containers
        .iter()
        .filter(|c| c.section != Section::Ephemeral)
    {
        container(pod, c, seen, events, out);
    }
    super::pod_level::job_sidecar(pod, out);
    super::pod_level::native_sidecars(pod, out);
    super::pod_level::pod_level(pod, seen, out);
}

/// The first plain init container that has not completed holds back every container after it.
fn init_containers(pod: &Pod, seen: &Observed, out: &mut Vec<Finding>) {
    let inits: Vec<&Container> = pod
        .in_section(Section::Init)
        .filter(|c| !c.native_sidecar)
        .collect();
    if inits.is_empty() || pod.condition_true("Initialized") {
        return;
    }
    let Some((k, c)) = inits.iter().enumerate().find(|(_, c)| {
        !matches!(
            c.status.as_ref().map(|s| &s.state),
            Some(ContainerState::Terminated { exit_code: 0, .. })
        )
    }) else {
        return;
    };
    let Some(status) = &c.status else { return };
    let n = inits.len();
    let step = format!("{} of {n}", k + 1);
    let mut evidence = vec![format!(
        "the app containers start only after all {n} init container{} complete, in order",
        if n == 1 { "" } else { "s" }
    )];
    let (severity, code, headline) = match &status.state {
        ContainerState::Running { started_at } => {
            let how_long = since(*started_at, seen.now)
                .map(|d| format!(" for {d}"))
                .unwrap_or_default();
            (
                Severity::Warning,
                FindingCode::InitBlocking,
                format!(
                    "init container {} ({step}) has been running{how_long}: the pod waits for it",
                    c.name
                ),
            )
        }
        ContainerState::Terminated {
            exit_code, reason, ..
        } => (
            Severity::Error,
            FindingCode::InitFailed,
            format!(
                "init container {} ({step}) failed: exit {exit_code}{}",
                c.name,
                reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        ),
        // Crash loops and pull errors of init containers are said by `container` below.
        _ => return,
    };
    if status.restart_count > 0 {
        evidence.push(format!("restarted {} times so far", status.restart_count));
    }
    evidence.extend(last_lines(seen.logs.get(&c.name), "last log line"));
    out.push(Finding {
        severity,
        code,
        container: Some(c.name.clone()),
        headline,
        evidence,
        next: vec![logs_command(pod, &c.name, false)],
        key: Some(NextKey::Logs),
        fix: None,
    });
}

fn container(
    pod: &Pod,
    c: &Container,
    seen: &Observed,
    events: &[&PodEvent],
    out: &mut Vec<Finding>,
) {
    let Some(status) = &c.status else { return };
    let last_run = match &status.last_state {
        Some(t @ ContainerState::Terminated { .. }) => Some(t),
        _ => None,
    };
    match &status.state {
        ContainerState::Waiting {
            reason: Some(reason),
            message,
        } => match reason.as_str() {
            "CrashLoopBackOff" => {
                out.push(crashed(pod, c, last_run, status.restart_count, seen, true))
            }
            "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull" => {
                out.push(super::events::image_pull(
                    pod,
                    c,
                    reason,
                    message.as_deref(),
                    events,
                ));
            }
            "CreateContainerConfigError" | "CreateContainerError" | "RunContainerError" => {
                let why = message.clone().unwrap_or_else(|| reason.clone());
                out.push(Finding {
                    severity: Severity::Error,
                    code: FindingCode::ConfigError,
                    container: Some(c.name.clone()),
                    headline: format!("{} cannot start: {why}", c.name),
                    evidence: vec![format!("waiting: {reason}")],
                    next: vec![describe_command(pod)],
                    key: Some(NextKey::Yaml),
                    fix: None,
                });
            }
            _ => {}
        },
        ContainerState::Running { started_at } => {
            if status.restart_count > 0
                && let Some(last) = last_run
                && !matches!(last, ContainerState::Terminated { exit_code: 0, .. })
            {
                out.push(crashed(
                    pod,
                    c,
                    Some(last),
                    status.restart_count,
                    seen,
                    false,
                ));
            }
            let unready_for = started_at.map(|t| seen.now.as_second() - t.as_second());
            let probe_events = events
                .iter()
                .any(|e| e.container.as_deref() == Some(&c.name) && e.reason == "Unhealthy");
            if !status.ready
                && c.section == Section::Regular
                && !probe_events
                && unready_for.is_some_and(|s| s > READY_GRACE_SECONDS)
            {
                out.push(Finding {
                    severity: Severity::Warning,
                    code: FindingCode::NeverReady,
                    container: Some(c.name.clone()),
                    headline: format!(
                        "{} has been running for {} but is not ready",
                        c.name,
                        since(*started_at, seen.now).unwrap_or_default()
                    ),
                    evidence: readiness_evidence(c),
                    next: vec![describe_command(pod), logs_command(pod, &c.name, false)],
                    key: Some(NextKey::Logs),
                    fix: None,
                });
            }
        }
        ContainerState::Terminated {
            exit_code, reason, ..
        } if *exit_code != 0 && c.section == Section::Regular => {
            out.push(Finding {
                severity: Severity::Error,
                code: FindingCode::ContainerFailed,
                container: Some(c.name.clone()),
                headline: format!(
                    "{} exited {exit_code}{} and is not restarted (restartPolicy {})",
                    c.name,
                    reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    pod.restart_policy.as_deref().unwrap_or("Always")
                ),
                evidence: last_lines(seen.logs.get(&c.name), "last log line"),
                next: vec![logs_command(pod, &c.name, false)],
                key: Some(NextKey::Logs),
                fix: None,
            });
        }
        _ => {}
    }
}

fn readiness_evidence(c: &Container) -> Vec<String> {
    use crate::model::pod::ProbeKind;
    match c.probes.iter().find(|p| p.kind == ProbeKind::Readiness) {
        Some(p) => vec![format!("readiness probe: {}", super::events::probe_target(p))],
        None => vec!["it declares no readiness probe: something else (a native sidecar, a readiness gate) holds it".to_string()],
    }
}

/// A container that crashed: in CrashLoopBackOff now, or restarted and running again.
fn crashed(
    pod: &Pod,
    c: &Container,
    last: Option<&ContainerState>,
    restarts: i32,
    seen: &Observed,
    looping: bool,
) -> Finding {
    let mut evidence = Vec::new();
    let (mut code, mut run) = (
        if looping {
            FindingCode::CrashLoop
        } else {
            FindingCode::Restarting
        },
        String::new(),
    );
    if let Some(ContainerState::Terminated {
        exit_code,
        reason,
        message,
        started_at,
        finished_at,
        ..
    }) = last
    {
        let lasted = match (started_at, finished_at) {
            (Some(s), Some(f)) => format!(
                " after {}",
                crate::model::printing::human_duration(f.as_second() - s.as_second())
            ),
            _ => String::new(),
        };
        if reason.as_deref() == Some("OOMKilled") {
            code = FindingCode::OomKilled;
            run = match c.resources.limits.get("memory") {
                Some(limit) => {
                    format!("it was killed for using more than its memory limit ({limit}){lasted}")
                }
                None => format!(
                    "it was killed for lack of memory{lasted} (it has no memory limit: the node ran short)"
                ),
            };
        } else {
            run = format!(
                "its last run exited {exit_code}{}{lasted}",
                reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
        }
        if let Some(m) = message {
            evidence.push(format!("last run's message: {m}"));
        }
    }
    let what = if looping {
        "is crash-looping"
    } else {
        "has restarted"
    };
    let headline = match (run.is_empty(), restarts) {
        (true, n) => format!("{} {what} ({n} restarts)", c.name),
        (false, n) => format!(
            "{} {what}: {run}, {n} restart{}",
            c.name,
            if n == 1 { "" } else { "s" }
        ),
    };
    evidence.extend(last_lines(
        seen.previous_logs.get(&c.name),
        "previous instance's last line",
    ));
    Finding {
        severity: if looping {
            Severity::Error
        } else {
            Severity::Warning
        },
        code,
        container: Some(c.name.clone()),
        headline,
        evidence,
        next: vec![logs_command(pod, &c.name, true)],
        key: Some(NextKey::PreviousLogs),
        fix: None,
    }
}
