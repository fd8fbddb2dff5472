//! Findings about the pod as a whole: a Job kept alive by a regular sidecar, a native
//! sidecar holding the app back, eviction, a termination that does not end.

use crate::model::pod::{Container, ContainerState, Pod, PodPhase, Section};

use super::{
    Finding, FindingCode, NextKey, Observed, Severity, describe_command, logs_command, since,
};

/// How long past its deletion deadline a pod may linger before it is worth saying.
const TERMINATION_GRACE_SECONDS: i64 = 60;

/// A Job is complete when all its containers are: a regular sidecar that never stops keeps
/// the Job running after its main has finished.
pub(super) fn job_sidecar(pod: &Pod, out: &mut Vec<Finding>) {
    if !pod.runs_to_completion() {
        return;
    }
    let regular: Vec<&Container> = pod.in_section(Section::Regular).collect();
    let Some(done) = regular.iter().find(|c| {
        matches!(
            c.status.as_ref().map(|s| &s.state),
            Some(ContainerState::Terminated { exit_code: 0, .. })
        )
    }) else {
        return;
    };
    for helper in regular.iter().filter(|c| {
        matches!(
            c.status.as_ref().map(|s| &s.state),
            Some(ContainerState::Running { .. })
        )
    }) {
        let image = helper.image.as_deref().unwrap_or("IMAGE");
        out.push(Finding {
            severity: Severity::Warning,
            code: FindingCode::JobSidecarRunning,
            container: Some(helper.name.clone()),
            headline: format!(
                "{} keeps the {} running after {} finished",
                helper.name,
                pod.controller_kind().unwrap_or("Job"),
                done.name
            ),
            evidence: vec![
                "a Job completes only when every regular container has exited".to_string(),
                format!("{} completed with exit 0; {} is still running", done.name, helper.name),
            ],
            next: vec![describe_command(pod)],
            key: None,
            fix: Some(format!(
                "# Make {0} a native sidecar (Kubernetes 1.29+): move it from containers to\n# initContainers with restartPolicy: Always; the Job then ends when {1} does.\nspec:\n  initContainers:\n  - name: {0}\n    image: {image}\n    restartPolicy: Always",
                helper.name, done.name
            )),
        });
    }
}

/// Native sidecars start, in order, before the app containers: one that is not up holds them.
pub(super) fn native_sidecars(pod: &Pod, out: &mut Vec<Finding>) {
    let app_waiting = pod.in_section(Section::Regular).any(|c| {
        matches!(
            c.status.as_ref().map(|s| &s.state),
            Some(ContainerState::Waiting { reason: Some(r), .. }) if r == "PodInitializing"
        )
    });
    if !app_waiting {
        return;
    }
    for c in pod.in_section(Section::Init).filter(|c| c.native_sidecar) {
        let Some(status) = &c.status else { continue };
        let state = match &status.state {
            ContainerState::Running { .. } if status.started == Some(true) => continue,
            ContainerState::Running { .. } => "has started but is not up yet (startup probe)",
            // Crash loops and pull errors are said for the container itself.
            ContainerState::Waiting {
                reason: Some(r), ..
            } if r == "CrashLoopBackOff" || r.contains("ImagePull") => continue,
            ContainerState::Waiting { .. } => "has not started",
            ContainerState::Terminated { .. } => "has exited",
            ContainerState::Unknown => continue,
        };
        out.push(Finding {
            severity: Severity::Warning,
            code: FindingCode::NativeSidecarNotReady,
            container: Some(c.name.clone()),
            headline: format!("native sidecar {} {state}: the app containers wait for it", c.name),
            evidence: vec![
                "an init container with restartPolicy: Always must be started before the next one and the app containers run".to_string(),
            ],
            next: vec![logs_command(pod, &c.name, false)],
            key: Some(NextKey::Logs),
            fix: None,
        });
    }
}

pub(super) fn pod_level(pod: &Pod, seen: &Observed, out: &mut Vec<Finding>) {
    if pod.reason.as_deref() == Some("Evicted") {
        out.push(Finding {
            severity: Severity::Error,
            code: FindingCode::Evicted,
            container: None,
            headline: format!(
                "evicted: {}",
                pod.message
                    .as_deref()
                    .unwrap_or("the kubelet reclaimed the node's resources")
            ),
            evidence: vec![format!(
                "phase {}",
                pod.phase.clone().unwrap_or(PodPhase::Failed)
            )],
            next: vec![describe_command(pod)],
            key: None,
            fix: None,
        });
    }
    if let Some(deadline) = pod.deletion
        && seen.now.as_second() - deadline.as_second() > TERMINATION_GRACE_SECONDS
    {
        out.push(Finding {
            severity: Severity::Warning,
            code: FindingCode::TerminatingLong,
            container: None,
            headline: format!(
                "terminating, {} past its grace period",
                since(Some(deadline), seen.now).unwrap_or_default()
            ),
            evidence: vec![
                "a finalizer not removed, or a node that stopped reporting, keeps a pod Terminating".to_string(),
            ],
            next: vec![
                format!(
                    "kubectl get pod {} -n {} -o jsonpath='{{.metadata.finalizers}}'",
                    pod.name, pod.namespace
                ),
                format!(
                    "kubectl delete pod {} -n {} --grace-period=0 --force",
                    pod.name, pod.namespace
                ),
            ],
            key: Some(NextKey::Yaml),
            fix: None,
        });
    }
}
