//! The pod as a picture: its containers, the volumes between them and the `localhost` links,
//! each edge pointing the way the data goes. A small graph, worked out from the roles and the
//! specs; `canvas.rs` lays it out as text and `export.rs` writes it as Mermaid or Graphviz.

pub mod canvas;
mod compact;
pub mod export;
mod lanes;
mod prose;

pub use prose::arrows_of;

use super::insight::PodInsight;
use super::network::localhost_links;
use super::pod::Section;
use super::role::{ContainerRole, Flow, listen_ports, mount_flows, outside_hosts};

/// Where the kubelet mounts the service account's token in every container: the same in every
/// pod and not part of any pattern, so the picture leaves it out.
const SERVICE_ACCOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// A container, drawn once, in start order by group: init containers, native sidecars, the
/// main containers, the helpers, then debug containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub name: String,
    pub role: ContainerRole,
    pub native_sidecar: bool,
    /// Ports it serves on (declared or read off its flags).
    pub ports: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeNode {
    pub name: String,
    /// The volume type as the spec names it (`emptyDir`, `configMap` ...).
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// A lane mounts a volume; `flow` says which way the data goes.
    Mount {
        lane: usize,
        volume: usize,
        path: String,
        read_only: bool,
        flow: Flow,
        how: String,
    },
    /// `from` connects to `to` on `localhost`. `inferred` when no spec shows the address and
    /// the pattern implies it (the app reaches its ambassador).
    Localhost {
        from: usize,
        to: usize,
        port: Option<i32>,
        address: String,
        inferred: bool,
    },
    /// A lane reaches hosts outside the pod.
    Outside { lane: usize, hosts: Vec<String> },
    /// `from` runs to completion (or, a native sidecar, starts) before `to` starts.
    Before { from: usize, to: usize },
}

impl Edge {
    /// Whether the edge touches `lane`.
    pub fn touches(&self, lane: usize) -> bool {
        match self {
            Edge::Mount { lane: l, .. } | Edge::Outside { lane: l, .. } => *l == lane,
            Edge::Localhost { from, to, .. } | Edge::Before { from, to } => {
                *from == lane || *to == lane
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    pub namespace: String,
    pub pod: String,
    pub lanes: Vec<Lane>,
    pub volumes: Vec<VolumeNode>,
    pub edges: Vec<Edge>,
}

impl Diagram {
    pub fn lane(&self, name: &str) -> Option<usize> {
        self.lanes.iter().position(|l| l.name == name)
    }

    pub fn volume(&self, name: &str) -> Option<usize> {
        self.volumes.iter().position(|v| v.name == name)
    }

    /// The names of the lanes other than `me` that use `volume` the `flow` way.
    pub fn peers(&self, volume: usize, me: usize, flow: Flow) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .edges
            .iter()
            .filter_map(|e| match e {
                Edge::Mount {
                    lane,
                    volume: v,
                    flow: f,
                    ..
                } if *v == volume && *lane != me && *f == flow => {
                    Some(self.lanes[*lane].name.as_str())
                }
                _ => None,
            })
            .collect();
        names.dedup();
        names
    }
}

/// The order a container is drawn in: its group, then its place in the spec.
fn group(section: Section, native_sidecar: bool, role: ContainerRole) -> u8 {
    match (section, native_sidecar, role) {
        (Section::Init, false, _) => 0,
        (Section::Init, true, _) => 1,
        (Section::Ephemeral, _, _) => 4,
        (_, _, ContainerRole::Main) => 2,
        _ => 3,
    }
}

/// The picture of one analysed pod.
pub fn diagram(insight: &PodInsight) -> Diagram {
    let pod = &insight.pod;
    let mut order: Vec<usize> = (0..pod.containers.len()).collect();
    order.sort_by_key(|&i| {
        let c = &pod.containers[i];
        (group(c.section, c.native_sidecar, insight.roles[i].role), i)
    });
    let lane_of = |container: usize| order.iter().position(|&i| i == container);
    let lanes: Vec<Lane> = order
        .iter()
        .map(|&i| {
            let c = &pod.containers[i];
            Lane {
                name: c.name.clone(),
                role: insight.roles[i].role,
                native_sidecar: insight.roles[i].native_sidecar,
                ports: if c.is_long_running() {
                    listen_ports(c)
                } else {
                    Vec::new()
                },
            }
        })
        .collect();

    let mut volumes: Vec<VolumeNode> = Vec::new();
    let mut edges = init_chain(insight, &order);
    for f in mount_flows(pod, &insight.roles) {
        if f.path.trim_end_matches('/') == SERVICE_ACCOUNT_PATH {
            continue;
        }
        let Some(lane) = lane_of(f.container) else {
            continue;
        };
        let source = pod
            .volumes
            .iter()
            .find(|v| v.name == f.volume)
            .map(|v| &v.source);
        let volume = match volumes.iter().position(|v| v.name == f.volume) {
            Some(v) => v,
            None => {
                let kind = source.map_or("", |s| s.kind());
                volumes.push(VolumeNode {
                    name: f.volume.clone(),
                    kind: kind.to_string(),
                });
                volumes.len() - 1
            }
        };
        edges.push(Edge::Mount {
            lane,
            volume,
            path: f.path,
            // The kubelet mounts what the API provides read-only, whatever the spec says.
            read_only: f.read_only || source.is_some_and(|s| s.is_api_content()),
            flow: f.flow,
            how: f.how,
        });
    }
    let mut d = Diagram {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        lanes,
        volumes,
        edges,
    };
    for link in localhost_links(pod) {
        if let (Some(from), Some(to)) = (d.lane(&link.from), d.lane(&link.to)) {
            d.edges.push(Edge::Localhost {
                from,
                to,
                port: Some(link.port),
                address: link.address,
                inferred: false,
            });
        }
    }
    ambassadors_reached(&mut d);
    for (i, c) in pod.containers.iter().enumerate() {
        let hosts = outside_hosts(c);
        if c.is_long_running()
            && !hosts.is_empty()
            && let Some(lane) = lane_of(i)
        {
            d.edges.push(Edge::Outside { lane, hosts });
        }
    }
    d
}

/// The init containers in the order they run, then the app containers, which start when the
/// last one is done.
fn init_chain(insight: &PodInsight, order: &[usize]) -> Vec<Edge> {
    let pod = &insight.pod;
    let lane_of = |container: usize| order.iter().position(|&i| i == container);
    let inits: Vec<usize> = (0..pod.containers.len())
        .filter(|&i| pod.containers[i].section == Section::Init)
        .filter_map(lane_of)
        .collect();
    let first_app = (0..pod.containers.len())
        .filter(|&i| pod.containers[i].section == Section::Regular)
        .filter_map(lane_of)
        .min();
    let mut chain = inits;
    chain.extend(first_app);
    chain
        .windows(2)
        .map(|w| Edge::Before {
            from: w[0],
            to: w[1],
        })
        .collect()
}

/// An ambassador is how the app reaches out: when no spec shows the app's address for it, the
/// pattern still says the main containers call it on the ports it serves.
fn ambassadors_reached(d: &mut Diagram) {
    for to in 0..d.lanes.len() {
        if d.lanes[to].role != ContainerRole::Ambassador
            || d.edges
                .iter()
                .any(|e| matches!(e, Edge::Localhost { to: t, .. } if *t == to))
        {
            continue;
        }
        let port = d.lanes[to].ports.first().copied();
        let address = match port {
            Some(p) => format!("localhost:{p}"),
            None => "localhost".to_string(),
        };
        for from in 0..d.lanes.len() {
            if d.lanes[from].role == ContainerRole::Main {
                d.edges.push(Edge::Localhost {
                    from,
                    to,
                    port,
                    address: address.clone(),
                    inferred: true,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests;
