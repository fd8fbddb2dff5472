//! `podscope describe -o json`: the stable schema of DESIGN §2.1. Other tools consume it, so
//! field names and value spellings change only with a new schema.

use serde::Serialize;

use crate::model::PodInsight;
use crate::model::event::EventType;
use crate::model::pod::ContainerState;
use crate::model::volume::volume_matrix;

#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub pods: Vec<PodJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct PodJson<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub source: Option<&'a str>,
    pub default_container: Option<&'a str>,
    pub containers: Vec<ContainerJson<'a>>,
    pub volumes: Vec<VolumeJson<'a>>,
    pub warnings: Vec<String>,
    /// Empty for files; from status and events on a cluster.
    pub findings: Vec<FindingJson<'a>>,
    /// On a cluster only: the pod's events, newest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventJson<'a>>>,
}

#[derive(Debug, Serialize)]
pub struct FindingJson<'a> {
    pub severity: &'static str,
    pub code: &'static str,
    pub container: Option<&'a str>,
    pub headline: &'a str,
    pub evidence: &'a [String],
    pub next: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub reason: &'a str,
    pub count: i32,
    pub last_seen: Option<String>,
    pub container: Option<&'a str>,
    pub message: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StateJson<'a> {
    /// `waiting`, `running`, `terminated` or `unknown`.
    pub state: &'static str,
    pub reason: Option<&'a str>,
    pub exit_code: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct ContainerJson<'a> {
    pub name: &'a str,
    pub section: &'static str,
    pub role: &'static str,
    pub native_sidecar: bool,
    pub confidence: &'static str,
    pub evidence: &'a [String],
    pub image: Option<&'a str>,
    pub ports: Vec<PortJson<'a>>,
    pub mounts: Vec<MountJson<'a>>,
    /// On a cluster only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restarts: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct PortJson<'a> {
    pub name: Option<&'a str>,
    pub container_port: i32,
    pub protocol: &'a str,
}

#[derive(Debug, Serialize)]
pub struct MountJson<'a> {
    pub volume: &'a str,
    pub path: &'a str,
    pub read_only: bool,
    pub sub_path: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct VolumeJson<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub detail: String,
    pub shared: bool,
    pub mounts: Vec<VolumeMountJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct VolumeMountJson<'a> {
    pub container: &'a str,
    pub path: &'a str,
    pub read_only: bool,
}

pub fn document(pods: &[PodInsight]) -> Document<'_> {
    Document {
        pods: pods.iter().map(pod).collect(),
    }
}

fn pod(insight: &PodInsight) -> PodJson<'_> {
    let p = &insight.pod;
    PodJson {
        namespace: &p.namespace,
        name: &p.name,
        source: p.source.as_deref(),
        default_container: insight.default_container.as_ref().map(|d| d.name.as_str()),
        containers: insight
            .containers()
            .map(|(c, r)| ContainerJson {
                name: &c.name,
                section: c.section.field_name(),
                role: r.role.as_str(),
                native_sidecar: r.native_sidecar,
                confidence: r.confidence.as_str(),
                evidence: &r.evidence,
                image: c.image.as_deref(),
                ports: c
                    .ports
                    .iter()
                    .map(|port| PortJson {
                        name: port.name.as_deref(),
                        container_port: port.container_port,
                        protocol: &port.protocol,
                    })
                    .collect(),
                mounts: c
                    .mounts
                    .iter()
                    .map(|m| MountJson {
                        volume: &m.volume,
                        path: &m.path,
                        read_only: m.read_only,
                        sub_path: m.sub_path.as_deref().or(m.sub_path_expr.as_deref()),
                    })
                    .collect(),
                state: c.status.as_ref().map(|s| state(&s.state)),
                ready: c.status.as_ref().map(|s| s.ready),
                restarts: c.status.as_ref().map(|s| s.restart_count),
            })
            .collect(),
        volumes: volume_matrix(p)
            .into_iter()
            .map(|u| VolumeJson {
                name: &u.volume.name,
                kind: u.volume.source.kind(),
                detail: u.volume.source.detail(),
                shared: u.shared(),
                mounts: u
                    .mounts
                    .iter()
                    .map(|m| VolumeMountJson {
                        container: m.container,
                        path: m.path,
                        read_only: m.read_only,
                    })
                    .collect(),
            })
            .collect(),
        warnings: insight.lints.iter().map(ToString::to_string).collect(),
        findings: insight
            .findings
            .iter()
            .map(|f| FindingJson {
                severity: f.severity.as_str(),
                code: f.code.as_str(),
                container: f.container.as_deref(),
                headline: &f.headline,
                evidence: &f.evidence,
                next: &f.next,
                fix: f.fix.as_deref(),
            })
            .collect(),
        events: p.phase.is_some().then(|| {
            insight
                .events
                .iter()
                .map(|e| EventJson {
                    kind: match e.kind {
                        EventType::Normal => "Normal",
                        EventType::Warning => "Warning",
                    },
                    reason: &e.reason,
                    count: e.count,
                    last_seen: e.last_seen.map(|t| t.to_string()),
                    container: e.container.as_deref(),
                    message: &e.message,
                })
                .collect()
        }),
    }
}

fn state(s: &ContainerState) -> StateJson<'_> {
    match s {
        ContainerState::Waiting { reason, .. } => StateJson {
            state: "waiting",
            reason: reason.as_deref(),
            exit_code: None,
        },
        ContainerState::Running { .. } => StateJson {
            state: "running",
            reason: None,
            exit_code: None,
        },
        ContainerState::Terminated {
            reason, exit_code, ..
        } => StateJson {
            state: "terminated",
            reason: reason.as_deref(),
            exit_code: Some(*exit_code),
        },
        ContainerState::Unknown => StateJson {
            state: "unknown",
            reason: None,
            exit_code: None,
        },
    }
}

pub fn to_string(pods: &[PodInsight]) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&document(pods)).unwrap_or_default()
}
