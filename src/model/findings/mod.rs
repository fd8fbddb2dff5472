//! The pod doctor: from a pod (with its roles), its events and the last log lines podscope
//! has, what is wrong, ranked, each finding with the container it is about, a one-line
//! headline, the evidence, and what to run next. Pure: the caller brings the clock, the
//! events and the logs.
//!
//! `status.rs` reads the pod's own status (init containers, crashes, pulls, Jobs, native
//! sidecars, eviction, termination); `events.rs` reads what the kubelet and the scheduler
//! said (probe failures, mount failures, pull errors, scheduling).

mod events;
mod pod_level;
mod status;

pub use events::probe_target;

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::jiff::Timestamp;

use super::event::PodEvent;
use super::insight::PodInsight;
use super::lint::Lint;
use super::pod::Pod;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of problem, as a stable identifier (the JSON's `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingCode {
    Unschedulable,
    ImagePull,
    MountFailed,
    ConfigError,
    InitBlocking,
    InitFailed,
    OomKilled,
    CrashLoop,
    ContainerFailed,
    NativeSidecarNotReady,
    ProbeFailing,
    NeverReady,
    Restarting,
    JobSidecarRunning,
    Evicted,
    TerminatingLong,
    SharedPort,
}

impl FindingCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::Unschedulable => "unschedulable",
            FindingCode::ImagePull => "image-pull",
            FindingCode::MountFailed => "mount-failed",
            FindingCode::ConfigError => "config-error",
            FindingCode::InitBlocking => "init-blocking",
            FindingCode::InitFailed => "init-failed",
            FindingCode::OomKilled => "oom-killed",
            FindingCode::CrashLoop => "crash-loop",
            FindingCode::ContainerFailed => "container-failed",
            FindingCode::NativeSidecarNotReady => "native-sidecar-not-ready",
            FindingCode::ProbeFailing => "probe-failing",
            FindingCode::NeverReady => "never-ready",
            FindingCode::Restarting => "restarting",
            FindingCode::JobSidecarRunning => "job-sidecar-running",
            FindingCode::Evicted => "evicted",
            FindingCode::TerminatingLong => "terminating-long",
            FindingCode::SharedPort => "shared-port",
        }
    }
}

/// The podscope key in the pod view that shows more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextKey {
    /// `l`: the container's logs.
    Logs,
    /// `p`: the previous instance's logs.
    PreviousLogs,
    /// `y`: the pod's YAML.
    Yaml,
}

impl NextKey {
    pub fn key(self) -> &'static str {
        match self {
            NextKey::Logs => "l",
            NextKey::PreviousLogs => "p",
            NextKey::Yaml => "y",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    /// The container it is about; `None` for the pod as a whole.
    pub container: Option<String>,
    pub headline: String,
    pub evidence: Vec<String>,
    /// kubectl commands that show more or fix it, ready to paste.
    pub next: Vec<String>,
    pub key: Option<NextKey>,
    /// A change to the manifest that fixes it, as YAML, when there is one.
    pub fix: Option<String>,
}

/// What podscope observed beside the pod itself.
#[derive(Debug, Clone, Copy)]
pub struct Observed<'a> {
    pub now: Timestamp,
    /// The pod's events (any order).
    pub events: &'a [PodEvent],
    /// The last lines of each container's current instance, when podscope has them.
    pub logs: &'a BTreeMap<String, Vec<String>>,
    /// The last lines of each container's previous instance, when podscope has them.
    pub previous_logs: &'a BTreeMap<String, Vec<String>>,
}

impl Observed<'_> {
    /// Only the clock: a pod seen in a list, with no events or logs fetched.
    pub fn at(now: Timestamp) -> Observed<'static> {
        static EMPTY: BTreeMap<String, Vec<String>> = BTreeMap::new();
        Observed {
            now,
            events: &[],
            logs: &EMPTY,
            previous_logs: &EMPTY,
        }
    }
}

/// Everything wrong with the pod, worst first.
pub fn diagnose(insight: &PodInsight, seen: &Observed) -> Vec<Finding> {
    let pod = &insight.pod;
    // Events of an older pod of the same name are not this one's.
    let events: Vec<&PodEvent> = seen
        .events
        .iter()
        .filter(|e| match (&e.pod_uid, &pod.uid) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        })
        .collect();
    let mut out = Vec::new();
    status::findings(pod, seen, &events, &mut out);
    events::findings(pod, seen, &events, &mut out);
    for lint in &insight.lints {
        if let Lint::SharedPort {
            port, containers, ..
        } = lint
        {
            out.push(Finding {
                severity: Severity::Warning,
                code: FindingCode::SharedPort,
                container: None,
                headline: format!("{} all declare port {port}: only one can listen on it", containers.join(", ")),
                evidence: vec![
                    "the containers of a pod share one network namespace, so a port can be bound once".to_string(),
                ],
                next: Vec::new(),
                key: None,
                fix: None,
            });
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)));
    out
}

/// The worst severity among `findings`.
pub fn worst(findings: &[Finding]) -> Option<Severity> {
    findings.iter().map(|f| f.severity).max()
}

fn ns_flag(pod: &Pod) -> String {
    format!("-n {}", pod.namespace)
}

fn logs_command(pod: &Pod, container: &str, previous: bool) -> String {
    let previous = if previous { " --previous" } else { "" };
    format!(
        "kubectl logs {} -c {container} {}{previous}",
        pod.name,
        ns_flag(pod)
    )
}

fn describe_command(pod: &Pod) -> String {
    format!("kubectl describe pod {} {}", pod.name, ns_flag(pod))
}

/// `2m`, `5h3m`: kubectl's way of saying how long.
fn since(then: Option<Timestamp>, now: Timestamp) -> Option<String> {
    then.map(|t| super::printing::human_duration(now.as_second() - t.as_second()))
}

/// The last few lines, as evidence: `last log line: ...`.
fn last_lines(lines: Option<&Vec<String>>, label: &str) -> Vec<String> {
    let Some(lines) = lines else {
        return Vec::new();
    };
    let start = lines.len().saturating_sub(3);
    lines[start..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{label}: {}", l.trim_end()))
        .collect()
}
