//! podscope's own view of a pod: the parts that matter for understanding a multi-container
//! pod, in the order Kubernetes starts its containers. Built from k8s-openapi types in
//! `convert.rs`; nothing here does I/O.

use super::str_map::StrMap;
use std::fmt;

use k8s_openapi::jiff::Timestamp;

use super::volume::Volume;

/// A pod (or a workload's pod template) as podscope understands it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub uid: Option<String>,
    /// What the object was: a Pod, or the pod template of a workload.
    pub origin: PodOrigin,
    /// The manifest file it came from, when it came from one.
    pub source: Option<String>,
    /// The kind of the controller that owns it (`ReplicaSet`, `Job`, `DaemonSet`...), from
    /// `metadata.ownerReferences`.
    pub owner_kind: Option<String>,
    pub labels: StrMap,
    /// Annotations, without `kubectl.kubernetes.io/last-applied-configuration`.
    pub annotations: StrMap,
    pub created: Option<Timestamp>,
    pub deleting: bool,
    /// `metadata.deletionTimestamp`: when the pod was asked to stop, plus its grace period.
    pub deletion: Option<Timestamp>,
    pub node: Option<String>,
    pub restart_policy: Option<String>,
    pub service_account: Option<String>,
    pub priority_class: Option<String>,
    pub share_process_namespace: bool,
    pub host_network: bool,
    /// `status.qosClass`: Guaranteed, Burstable or BestEffort.
    pub qos_class: Option<String>,
    pub phase: Option<PodPhase>,
    /// `status.reason` (for example `Evicted`).
    pub reason: Option<String>,
    /// `status.message` (why it was evicted, say).
    pub message: Option<String>,
    /// `status.conditions`: `Initialized`, `Ready`, `PodScheduled`...
    pub conditions: Vec<PodCondition>,
    pub pod_ip: Option<String>,
    pub nominated_node: Option<String>,
    /// Init containers, then containers, then ephemeral containers, each in spec order.
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}

impl Pod {
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name == name)
    }

    pub fn in_section(&self, section: Section) -> impl Iterator<Item = &Container> {
        self.containers.iter().filter(move |c| c.section == section)
    }

    /// What runs this pod: the owning controller's kind, or the workload whose template it is.
    pub fn controller_kind(&self) -> Option<&str> {
        match &self.origin {
            PodOrigin::Template { kind } => Some(kind),
            PodOrigin::Pod => self.owner_kind.as_deref(),
        }
    }

    /// A pod that runs to completion: its workload is a Job or CronJob.
    pub fn runs_to_completion(&self) -> bool {
        matches!(self.controller_kind(), Some("Job" | "CronJob"))
    }

    /// Whether condition `kind` (e.g. `Ready`) is present with status True.
    pub fn condition_true(&self, kind: &str) -> bool {
        self.conditions.iter().any(|c| c.kind == kind && c.status)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodCondition {
    pub kind: String,
    pub status: bool,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub since: Option<Timestamp>,
}

/// Where a pod spec came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodOrigin {
    Pod,
    /// The pod template of a workload, e.g. `Deployment`.
    Template {
        kind: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Init,
    Regular,
    Ephemeral,
}

impl Section {
    /// The field name in the pod spec, as the JSON contract spells it.
    pub fn field_name(self) -> &'static str {
        match self {
            Section::Init => "initContainers",
            Section::Regular => "containers",
            Section::Ephemeral => "ephemeralContainers",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodPhase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
    Other(String),
}

impl PodPhase {
    pub fn parse(phase: &str) -> PodPhase {
        match phase {
            "Pending" => PodPhase::Pending,
            "Running" => PodPhase::Running,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            "Unknown" => PodPhase::Unknown,
            other => PodPhase::Other(other.to_string()),
        }
    }
}

impl fmt::Display for PodPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PodPhase::Pending => f.write_str("Pending"),
            PodPhase::Running => f.write_str("Running"),
            PodPhase::Succeeded => f.write_str("Succeeded"),
            PodPhase::Failed => f.write_str("Failed"),
            PodPhase::Unknown => f.write_str("Unknown"),
            PodPhase::Other(s) => f.write_str(s),
        }
    }
}

/// One container of any section.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    pub section: Section,
    /// An init container with `restartPolicy: Always`: it starts before the app containers
    /// and keeps running beside them.
    pub native_sidecar: bool,
    pub image: Option<String>,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub working_dir: Option<String>,
    pub ports: Vec<ContainerPort>,
    pub mounts: Vec<VolumeMount>,
    pub env: Vec<EnvVar>,
    pub env_from: Vec<EnvSource>,
    pub probes: Vec<Probe>,
    pub resources: Resources,
    pub security: Security,
    /// `lifecycle.postStart` and `lifecycle.preStop`: (hook, what it does).
    pub lifecycle: Vec<(String, String)>,
    /// For an ephemeral container: the container whose process namespace it joins.
    pub target_container: Option<String>,
    /// From `status`, when the pod has been scheduled.
    pub status: Option<ContainerStatus>,
}

impl Container {
    /// Command and args as one argv, the way the container runtime sees them.
    pub fn argv(&self) -> impl Iterator<Item = &str> {
        self.command
            .iter()
            .chain(self.args.iter())
            .map(String::as_str)
    }

    /// The mount of `volume`, if this container mounts it.
    pub fn mount_of(&self, volume: &str) -> Option<&VolumeMount> {
        self.mounts.iter().find(|m| m.volume == volume)
    }

    /// Long-running containers: everything but plain init containers.
    pub fn is_long_running(&self) -> bool {
        self.section == Section::Regular || self.native_sidecar
    }

    /// What the container is doing now, in the few kinds a screen colours differently.
    pub fn state_kind(&self) -> ContainerStateKind {
        let Some(status) = &self.status else {
            return ContainerStateKind::Unknown;
        };
        match &status.state {
            ContainerState::Running { .. }
                if status.ready || self.section == Section::Ephemeral =>
            {
                ContainerStateKind::Running
            }
            ContainerState::Running { .. } => ContainerStateKind::Starting,
            ContainerState::Waiting { reason, .. } => match reason.as_deref() {
                Some("CrashLoopBackOff") => ContainerStateKind::CrashLoop,
                Some(r)
                    if r.contains("Err") || r.contains("BackOff") || r.starts_with("Invalid") =>
                {
                    ContainerStateKind::Failed
                }
                _ => ContainerStateKind::Waiting,
            },
            ContainerState::Terminated { exit_code: 0, .. } => ContainerStateKind::Completed,
            ContainerState::Terminated { .. } => ContainerStateKind::Failed,
            ContainerState::Unknown => ContainerStateKind::Unknown,
        }
    }
}

/// A container's state reduced to what a glance needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerStateKind {
    /// Running and ready (or an ephemeral container, which has no readiness).
    Running,
    /// Running but not ready yet.
    Starting,
    Waiting,
    /// Exited 0.
    Completed,
    /// Exited non-zero, or cannot start (image pull errors, bad config).
    Failed,
    CrashLoop,
    /// No status reported (not scheduled, or a manifest file).
    Unknown,
}

/// The parts of a container's `securityContext` that matter when it misbehaves.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Security {
    pub run_as_user: Option<i64>,
    pub run_as_non_root: Option<bool>,
    pub privileged: bool,
    pub allow_privilege_escalation: Option<bool>,
    pub read_only_root: bool,
    pub capabilities_added: Vec<String>,
    pub capabilities_dropped: Vec<String>,
}

/// `resources.requests` and `resources.limits`, as written (`cpu: 100m`, `memory: 128Mi`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Resources {
    pub requests: StrMap,
    pub limits: StrMap,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i32,
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeMount {
    pub volume: String,
    pub path: String,
    pub read_only: bool,
    pub sub_path: Option<String>,
    pub sub_path_expr: Option<String>,
}

/// An environment variable. A literal value is kept for role inference (it may name a
/// `localhost:PORT` or an outside host) but is never printed: it may hold a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    Literal(String),
    ConfigMapKey { name: String, key: String },
    SecretKey { name: String, key: String },
    Field(String),
    Resource(String),
    File { volume: String, path: String },
    Unset,
}

/// `envFrom`: a whole ConfigMap or Secret as variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSource {
    ConfigMap {
        name: String,
        prefix: Option<String>,
    },
    Secret {
        name: String,
        prefix: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub kind: ProbeKind,
    pub action: ProbeAction,
    /// `initialDelaySeconds`, `periodSeconds`, `timeoutSeconds`, `failureThreshold`, as set
    /// (the kubelet's defaults are 0, 10, 1 and 3).
    pub initial_delay: Option<i32>,
    pub period: Option<i32>,
    pub timeout: Option<i32>,
    pub failure_threshold: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    HttpGet { path: Option<String>, port: PortRef },
    TcpSocket { port: PortRef },
    Grpc { port: i32 },
    Exec { command: Vec<String> },
    None,
}

/// A port given by number or by the name of a declared container port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(i32),
    Name(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerStatus {
    pub ready: bool,
    pub started: Option<bool>,
    pub restart_count: i32,
    pub state: ContainerState,
    pub last_state: Option<ContainerState>,
    pub container_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContainerState {
    Waiting {
        reason: Option<String>,
        message: Option<String>,
    },
    Running {
        started_at: Option<Timestamp>,
    },
    Terminated {
        exit_code: i32,
        signal: Option<i32>,
        reason: Option<String>,
        message: Option<String>,
        started_at: Option<Timestamp>,
        finished_at: Option<Timestamp>,
    },
    Unknown,
}

impl ContainerState {
    /// A short label such as `Running`, `Waiting: CrashLoopBackOff`, `Terminated: Error (exit 1)`.
    pub fn summary(&self) -> String {
        match self {
            ContainerState::Waiting { reason, .. } => match reason {
                Some(r) => format!("Waiting: {r}"),
                None => "Waiting".to_string(),
            },
            ContainerState::Running { .. } => "Running".to_string(),
            ContainerState::Terminated {
                exit_code,
                signal,
                reason,
                ..
            } => {
                let reason = reason.as_deref().unwrap_or("Terminated");
                match signal {
                    Some(sig) if *sig != 0 => format!("Terminated: {reason} (signal {sig})"),
                    _ => format!("Terminated: {reason} (exit {exit_code})"),
                }
            }
            ContainerState::Unknown => "Unknown".to_string(),
        }
    }
}
