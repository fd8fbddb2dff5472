//! How the containers of a pod reach each other: they share one network namespace, so a
//! container that connects to `localhost:PORT` talks to whichever container listens there.

use super::pod::Pod;
use super::role::{listen_ports, localhost_refs};

/// One container connecting to another through `localhost`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalhostLink {
    /// The container that connects.
    pub from: String,
    /// The container that listens on the port.
    pub to: String,
    pub port: i32,
    /// The address as the connecting container writes it (`http://localhost:8080/metrics`).
    pub address: String,
}

/// Every `localhost` connection between long-running containers that the pod's specs show.
pub fn localhost_links(pod: &Pod) -> Vec<LocalhostLink> {
    let running: Vec<_> = pod
        .containers
        .iter()
        .filter(|c| c.is_long_running())
        .map(|c| (c, listen_ports(c)))
        .collect();
    let mut links = Vec::new();
    for (from, _) in &running {
        for r in localhost_refs(from) {
            let listener = running
                .iter()
                .find(|(c, ports)| c.name != from.name && ports.contains(&r.port));
            if let Some((to, _)) = listener {
                links.push(LocalhostLink {
                    from: from.name.clone(),
                    to: to.name.clone(),
                    port: r.port,
                    address: r.text,
                });
            }
        }
    }
    links
}
