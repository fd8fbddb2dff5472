//! Pod volumes, what backs each one, and which containers share it.
//!
//! ConfigMaps and Secrets appear by name only: podscope never reads or shows their contents.

use super::pod::{Pod, Section};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    EmptyDir {
        medium: Option<String>,
        size_limit: Option<String>,
    },
    ConfigMap {
        name: String,
    },
    Secret {
        name: Option<String>,
    },
    PersistentVolumeClaim {
        claim_name: String,
        read_only: bool,
    },
    HostPath {
        path: String,
        kind: Option<String>,
    },
    Projected {
        sources: Vec<ProjectedSource>,
    },
    DownwardApi {
        files: Vec<String>,
    },
    Csi {
        driver: String,
        read_only: bool,
    },
    /// A generic ephemeral volume: a PVC created for the pod from a template.
    Ephemeral {
        storage_class: Option<String>,
        access_modes: Vec<String>,
        storage: Option<String>,
    },
    Nfs {
        server: String,
        path: String,
    },
    Image {
        reference: Option<String>,
    },
    /// Any other volume plugin, by its field name (e.g. `awsElasticBlockStore`).
    Other {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectedSource {
    ServiceAccountToken {
        path: String,
        expiration_seconds: Option<i64>,
    },
    ConfigMap {
        name: String,
    },
    Secret {
        name: String,
    },
    DownwardApi {
        files: Vec<String>,
    },
    ClusterTrustBundle,
    PodCertificate,
}

impl VolumeSource {
    /// Storage of the pod's own that its containers can write and exchange data through; not
    /// what the API projects into every container (tokens, ConfigMaps, Secrets) nor the node's
    /// directories (`hostPath`).
    pub fn is_pod_storage(&self) -> bool {
        matches!(
            self,
            VolumeSource::EmptyDir { .. }
                | VolumeSource::PersistentVolumeClaim { .. }
                | VolumeSource::Ephemeral { .. }
                | VolumeSource::Csi { .. }
                | VolumeSource::Nfs { .. }
        )
    }

    /// Content the API server puts into the containers (ConfigMaps, Secrets, tokens, the
    /// downward API): data flows from it into every container that mounts it, never back.
    pub fn is_api_content(&self) -> bool {
        matches!(
            self,
            VolumeSource::ConfigMap { .. }
                | VolumeSource::Secret { .. }
                | VolumeSource::Projected { .. }
                | VolumeSource::DownwardApi { .. }
                | VolumeSource::Image { .. }
        )
    }

    /// The volume type as the pod spec names it: `emptyDir`, `configMap`, ...
    pub fn kind(&self) -> &str {
        match self {
            VolumeSource::EmptyDir { .. } => "emptyDir",
            VolumeSource::ConfigMap { .. } => "configMap",
            VolumeSource::Secret { .. } => "secret",
            VolumeSource::PersistentVolumeClaim { .. } => "persistentVolumeClaim",
            VolumeSource::HostPath { .. } => "hostPath",
            VolumeSource::Projected { .. } => "projected",
            VolumeSource::DownwardApi { .. } => "downwardAPI",
            VolumeSource::Csi { .. } => "csi",
            VolumeSource::Ephemeral { .. } => "ephemeral",
            VolumeSource::Nfs { .. } => "nfs",
            VolumeSource::Image { .. } => "image",
            VolumeSource::Other { kind } => kind,
        }
    }

    /// Where the data comes from, in a few words (empty when there is nothing to add).
    pub fn detail(&self) -> String {
        match self {
            VolumeSource::EmptyDir { medium, size_limit } => {
                let mut parts = Vec::new();
                if let Some(m) = medium.as_deref().filter(|m| !m.is_empty()) {
                    parts.push(format!("medium {m}"));
                }
                if let Some(s) = size_limit {
                    parts.push(format!("sizeLimit {s}"));
                }
                parts.join(", ")
            }
            VolumeSource::ConfigMap { name } => format!("configMap {name}"),
            VolumeSource::Secret { name } => match name {
                Some(n) => format!("secret {n}"),
                None => "secret (no name)".to_string(),
            },
            VolumeSource::PersistentVolumeClaim {
                claim_name,
                read_only,
            } => {
                let ro = if *read_only { ", read-only" } else { "" };
                format!("claim {claim_name}{ro}")
            }
            VolumeSource::HostPath { path, kind } => {
                match kind.as_deref().filter(|k| !k.is_empty()) {
                    Some(k) => format!("{path} ({k})"),
                    None => path.clone(),
                }
            }
            VolumeSource::Projected { sources } => sources
                .iter()
                .map(ProjectedSource::describe)
                .collect::<Vec<_>>()
                .join(", "),
            VolumeSource::DownwardApi { files } => files.join(", "),
            VolumeSource::Csi { driver, read_only } => {
                let ro = if *read_only { ", read-only" } else { "" };
                format!("driver {driver}{ro}")
            }
            VolumeSource::Ephemeral {
                storage_class,
                access_modes,
                storage,
            } => {
                let mut parts = Vec::new();
                if let Some(s) = storage {
                    parts.push(s.clone());
                }
                if !access_modes.is_empty() {
                    parts.push(access_modes.join("/"));
                }
                if let Some(c) = storage_class {
                    parts.push(format!("storageClass {c}"));
                }
                parts.join(", ")
            }
            VolumeSource::Nfs { server, path } => format!("{server}:{path}"),
            VolumeSource::Image { reference } => reference.clone().unwrap_or_default(),
            VolumeSource::Other { .. } => String::new(),
        }
    }
}

impl ProjectedSource {
    fn describe(&self) -> String {
        match self {
            ProjectedSource::ServiceAccountToken { path, .. } => {
                format!("serviceAccountToken ({path})")
            }
            ProjectedSource::ConfigMap { name } => format!("configMap {name}"),
            ProjectedSource::Secret { name } => format!("secret {name}"),
            ProjectedSource::DownwardApi { files } => format!("downwardAPI ({})", files.join(", ")),
            ProjectedSource::ClusterTrustBundle => "clusterTrustBundle".to_string(),
            ProjectedSource::PodCertificate => "podCertificate".to_string(),
        }
    }
}

/// One container's mount of a volume: a cell of the volume × container matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountCell<'a> {
    pub container: &'a str,
    pub section: Section,
    pub path: &'a str,
    pub read_only: bool,
    pub sub_path: Option<&'a str>,
}

/// A declared volume and every container that mounts it, in container start order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeUse<'a> {
    pub volume: &'a Volume,
    pub mounts: Vec<MountCell<'a>>,
}

impl VolumeUse<'_> {
    /// Shared means two or more distinct containers mount it.
    pub fn shared(&self) -> bool {
        let mut names: Vec<&str> = self.mounts.iter().map(|m| m.container).collect();
        names.sort_unstable();
        names.dedup();
        names.len() >= 2
    }
}

/// The volume × container matrix: every declared volume with its mounts.
pub fn volume_matrix(pod: &Pod) -> Vec<VolumeUse<'_>> {
    pod.volumes
        .iter()
        .map(|volume| VolumeUse {
            volume,
            mounts: pod
                .containers
                .iter()
                .flat_map(|c| {
                    c.mounts
                        .iter()
                        .filter(|m| m.volume == volume.name)
                        .map(move |m| MountCell {
                            container: &c.name,
                            section: c.section,
                            path: &m.path,
                            read_only: m.read_only,
                            sub_path: m.sub_path.as_deref().or(m.sub_path_expr.as_deref()),
                        })
                })
                .collect(),
        })
        .collect()
}
