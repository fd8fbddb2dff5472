//! Services for the pods, as kube-proxy's old userspace mode carried them: inside every pod
//! network, each Service's cluster IP is put on the loopback and the demo listens on its
//! ports there; a connection accepted is joined to a ready endpoint's pod (its own network,
//! the resolved target port), picked in turn. A Service with no ready endpoint refuses by
//! closing at once. (A listener there takes its port on every address of the pod, so a
//! Service on a port the pod declares itself is not reachable from inside that pod.) Each pod's `/etc/hosts` (see [`super::dns`]) names the Services, so
//! `wget http://myservice` works from a busybox container. All of it stays inside the pods'
//! network namespaces; the host's network is not touched.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::Service;
use tokio::task::JoinHandle;

use super::Shared;

/// (pod namespace, pod name, cluster IP, port)
type Listener = (String, String, Ipv4Addr, u16);

#[derive(Default)]
pub struct Proxy {
    listeners: Mutex<HashMap<Listener, JoinHandle<()>>>,
    turn: AtomicUsize,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Ok(listeners) = self.listeners.lock() {
            for task in listeners.values() {
                task.abort();
            }
        }
    }
}

/// What every pod should be listening on for the Services there are now.
fn wanted(services: &[Arc<Service>]) -> Vec<(Ipv4Addr, u16, String, String)> {
    let mut out = Vec::new();
    for s in services {
        let spec = s.spec.clone().unwrap_or_default();
        let Some(ip) = spec
            .cluster_ip
            .as_deref()
            .and_then(|ip| ip.parse::<Ipv4Addr>().ok())
        else {
            continue;
        };
        for p in spec.ports.iter().flatten() {
            if let Ok(port) = u16::try_from(p.port) {
                let (ns, name) = (
                    s.metadata.namespace.clone().unwrap_or_default(),
                    s.metadata.name.clone().unwrap_or_default(),
                );
                out.push((ip, port, ns, name));
            }
        }
    }
    out
}

/// The ports a pod declares, and those its stand-ins serve on.
fn declared_ports(shared: &Shared, ns: &str, name: &str) -> HashSet<u16> {
    let Some(pod) = shared.pod(ns, name) else {
        return HashSet::new();
    };
    let Some(spec) = pod.spec.as_ref() else {
        return HashSet::new();
    };
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|p| u16::try_from(p.container_port).ok())
        .chain(super::runtime::Runtime::serving_ports(&pod))
        .collect()
}

/// Listen where Services say, in every pod network; stop where they no longer do.
pub fn reconcile(shared: &Arc<Shared>) {
    let Some(services) = shared.services.lock().ok().map(|s| s.list(None)) else {
        return;
    };
    let wanted = wanted(&services);
    let networks = shared.runtime.networks_now();
    let Ok(mut listeners) = shared.proxy.listeners.lock() else {
        return;
    };
    let mut keep: HashSet<Listener> = HashSet::new();
    for ((pod_ns, pod), network) in &networks {
        // A listener on a Service's port would keep the pod's own process from listening on
        // that port on all addresses: the ports the pod declares stay its own.
        let own = declared_ports(shared, pod_ns, pod);
        for (ip, port, svc_ns, svc) in wanted.iter().filter(|w| !own.contains(&w.1)) {
            let key = (pod_ns.clone(), pod.clone(), *ip, *port);
            keep.insert(key.clone());
            if listeners.get(&key).is_some_and(|t| !t.is_finished()) {
                continue;
            }
            if network.add_address(*ip).is_err() {
                continue;
            }
            let Ok(listener) = network.listen(SocketAddr::from((*ip, *port))) else {
                continue;
            };
            if listener.set_nonblocking(true).is_err() {
                continue;
            }
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                continue;
            };
            let target = (svc_ns.clone(), svc.clone(), *port);
            let shared = shared.clone();
            let task = tokio::spawn(async move {
                while let Ok((conn, _)) = listener.accept().await {
                    tokio::spawn(carry(shared.clone(), target.clone(), conn));
                }
            });
            listeners.insert(key, task);
        }
    }
    listeners.retain(|key, task| {
        let kept = keep.contains(key);
        if !kept {
            task.abort();
        }
        kept
    });
}

/// The next ready endpoint of Service `ns/service` for its `port`: the pod and the port
/// there (the Service's `targetPort`, resolved by the endpoints controller).
pub fn endpoint(shared: &Shared, ns: &str, service: &str, port: u16) -> Option<(String, u16)> {
    let svc = shared.services.lock().ok()?.get(ns, service)?;
    let port_name = svc
        .spec
        .as_ref()?
        .ports
        .iter()
        .flatten()
        .find(|p| p.port == i32::from(port))?
        .name
        .clone()
        .unwrap_or_default();
    let endpoints = shared.endpoints.lock().ok()?.get(ns, service)?;
    let mut choices: Vec<(String, u16)> = Vec::new();
    for subset in endpoints.subsets.iter().flatten() {
        let target = subset
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.clone().unwrap_or_default() == port_name)
            .and_then(|p| u16::try_from(p.port).ok());
        let Some(target) = target else { continue };
        for a in subset.addresses.iter().flatten() {
            if let Some(pod) = a.target_ref.as_ref().and_then(|r| r.name.clone()) {
                choices.push((pod, target));
            }
        }
    }
    if choices.is_empty() {
        return None;
    }
    let turn = shared.proxy.turn.fetch_add(1, Ordering::Relaxed);
    Some(choices[turn % choices.len()].clone())
}

/// One connection to a Service: to the next ready endpoint, or refused.
async fn carry(
    shared: Arc<Shared>,
    (ns, service, port): (String, String, u16),
    mut conn: tokio::net::TcpStream,
) {
    let Some((pod, port)) = endpoint(&shared, &ns, &service, port) else {
        return;
    };
    let Some(network) = shared.runtime.existing_network(&ns, &pod) else {
        return;
    };
    let Ok(Ok(upstream)) = tokio::task::spawn_blocking(move || network.connect(port)).await else {
        return;
    };
    if upstream.set_nonblocking(true).is_err() {
        return;
    }
    if let Ok(mut upstream) = tokio::net::TcpStream::from_std(upstream) {
        let _ = tokio::io::copy_bidirectional(&mut conn, &mut upstream).await;
    }
}
