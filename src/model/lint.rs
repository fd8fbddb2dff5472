//! Checks that help a learner spot a mistake in a multi-container pod.

use std::collections::BTreeMap;
use std::fmt;

use super::default_container::DEFAULT_CONTAINER_ANNOTATION;
use super::pod::{Pod, Section};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lint {
    NoContainers,
    UnusedVolume {
        volume: String,
    },
    UndeclaredVolume {
        container: String,
        volume: String,
    },
    MountWithoutPath {
        container: String,
        volume: String,
    },
    SharedPort {
        port: i32,
        protocol: String,
        containers: Vec<String>,
    },
    PortOutOfRange {
        container: String,
        port: i32,
    },
    MissingImage {
        container: String,
    },
    MissingName {
        section: Section,
        index: usize,
    },
    DuplicateName {
        container: String,
    },
    DefaultContainerNotFound {
        named: String,
    },
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lint::NoContainers => write!(
                f,
                "the pod declares no containers: spec.containers needs at least one entry"
            ),
            Lint::UnusedVolume { volume } => {
                write!(f, "volume {volume} is declared but mounted by no container")
            }
            Lint::UndeclaredVolume { container, volume } => write!(
                f,
                "container {container} mounts volume {volume}, which the pod does not declare under spec.volumes"
            ),
            Lint::MountWithoutPath { container, volume } => write!(
                f,
                "container {container} mounts volume {volume} without a mountPath"
            ),
            Lint::SharedPort {
                port,
                protocol,
                containers,
            } => write!(
                f,
                "containers {} all declare port {port}/{protocol}; they share one network namespace (localhost), so only one of them can listen on it",
                containers.join(" and ")
            ),
            Lint::PortOutOfRange { container, port } => write!(
                f,
                "container {container} declares port {port}, outside the valid range 1-65535"
            ),
            Lint::MissingImage { container } => write!(
                f,
                "container {container} has no image: the API server will refuse this pod"
            ),
            Lint::MissingName { section, index } => write!(
                f,
                "{}[{index}] has no name: every container needs a unique name",
                section.field_name()
            ),
            Lint::DuplicateName { container } => write!(
                f,
                "the name {container} is used by more than one container: names must be unique across all sections"
            ),
            Lint::DefaultContainerNotFound { named } => write!(
                f,
                "annotation {DEFAULT_CONTAINER_ANNOTATION} names {named}, which is not a container of this pod; kubectl falls back to the first container"
            ),
        }
    }
}

/// All lints for a pod, in a stable order.
pub fn lint(pod: &Pod) -> Vec<Lint> {
    let mut out = Vec::new();
    if pod.in_section(Section::Regular).next().is_none() {
        out.push(Lint::NoContainers);
    }

    let mut index_in_section: BTreeMap<Section, usize> = BTreeMap::new();
    let mut seen = BTreeMap::new();
    for c in &pod.containers {
        let index = index_in_section.entry(c.section).or_default();
        if c.name.is_empty() {
            out.push(Lint::MissingName {
                section: c.section,
                index: *index,
            });
        } else if seen.insert(c.name.as_str(), ()).is_some() {
            out.push(Lint::DuplicateName {
                container: c.name.clone(),
            });
        }
        *index += 1;
        if c.image.is_none() {
            out.push(Lint::MissingImage {
                container: c.name.clone(),
            });
        }
        for p in &c.ports {
            if !(1..=65535).contains(&p.container_port) {
                out.push(Lint::PortOutOfRange {
                    container: c.name.clone(),
                    port: p.container_port,
                });
            }
        }
    }

    for v in &pod.volumes {
        if !pod.containers.iter().any(|c| c.mount_of(&v.name).is_some()) {
            out.push(Lint::UnusedVolume {
                volume: v.name.clone(),
            });
        }
    }
    for c in &pod.containers {
        for m in &c.mounts {
            if m.path.is_empty() {
                out.push(Lint::MountWithoutPath {
                    container: c.name.clone(),
                    volume: m.volume.clone(),
                });
            }
            if !pod.volumes.iter().any(|v| v.name == m.volume) {
                out.push(Lint::UndeclaredVolume {
                    container: c.name.clone(),
                    volume: m.volume.clone(),
                });
            }
        }
    }

    out.extend(shared_ports(pod));

    if let Some(named) = pod.annotations.get(DEFAULT_CONTAINER_ANNOTATION)
        && !named.is_empty()
        && pod.container(named).is_none()
    {
        out.push(Lint::DefaultContainerNotFound {
            named: named.clone(),
        });
    }
    out
}

/// Ports declared by more than one long-running container.
fn shared_ports(pod: &Pod) -> Vec<Lint> {
    let mut by_port: BTreeMap<(i32, &str), Vec<String>> = BTreeMap::new();
    for c in pod.containers.iter().filter(|c| c.is_long_running()) {
        for p in &c.ports {
            let owners = by_port
                .entry((p.container_port, p.protocol.as_str()))
                .or_default();
            if !owners.contains(&c.name) {
                owners.push(c.name.clone());
            }
        }
    }
    by_port
        .into_iter()
        .filter(|(_, owners)| owners.len() > 1)
        .map(|((port, protocol), containers)| Lint::SharedPort {
            port,
            protocol: protocol.to_string(),
            containers,
        })
        .collect()
}
