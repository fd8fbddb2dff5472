//! The controllers that follow pods and Services: cluster DNS ([`super::dns`]), Service
//! traffic in the pod networks ([`super::proxy`]) and the endpoints controller. For each Service with a selector, an Endpoints object of the same
//! name listing the pods it selects (`reference/k8s-writes.md` §8.2): ready pods with an IP
//! under `addresses`, the others under `notReadyAddresses`, terminating pods left out, each
//! Service port resolved to the pod's port (a named `targetPort` looked up in the
//! containers). It runs again shortly after any pod or Service changes, and writes only what
//! changed, so watchers see real changes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tokio::sync::{broadcast, watch};

use super::Shared;

/// How long changes gather before the controller looks again.
const SETTLE: Duration = Duration::from_millis(100);

pub async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let subscribe = |shared: &Shared| {
        let pods = shared.store.lock().ok()?.subscribe();
        let services = shared.services.lock().ok()?.subscribe();
        Some((pods, services))
    };
    let Some((mut pods, mut services)) = subscribe(&shared) else {
        return;
    };
    reconcile(&shared);
    super::dns::publish(&shared);
    super::proxy::reconcile(&shared);
    loop {
        let changed = tokio::select! {
            _ = stop.changed() => return,
            p = pods.recv() => !matches!(p, Err(broadcast::error::RecvError::Closed)),
            s = services.recv() => !matches!(s, Err(broadcast::error::RecvError::Closed)),
        };
        if !changed {
            return;
        }
        tokio::time::sleep(SETTLE).await;
        // Whatever else arrived meanwhile is covered by this pass.
        while pods.try_recv().is_ok() || services.try_recv().is_ok() {}
        reconcile(&shared);
        super::dns::publish(&shared);
        super::proxy::reconcile(&shared);
    }
}

fn reconcile(shared: &Shared) {
    let Some(services) = shared.services.lock().ok().map(|s| s.list(None)) else {
        return;
    };
    let Some(pods) = shared.store.lock().ok().map(|s| s.list(None)) else {
        return;
    };
    let wanted: Vec<Endpoints> = services
        .iter()
        .filter(|s| s.spec.as_ref().is_some_and(|spec| spec.selector.is_some()))
        .map(|s| endpoints_for(s, &pods))
        .collect();
    let Ok(mut store) = shared.endpoints.lock() else {
        return;
    };
    for e in wanted.iter() {
        let (ns, name) = key(&e.metadata);
        let same = store.get(&ns, &name).is_some_and(|old| {
            old.subsets == e.subsets && old.metadata.labels == e.metadata.labels
        });
        if !same {
            let mut e = e.clone();
            if let Some(old) = store.get(&ns, &name) {
                e.metadata.uid = old.metadata.uid.clone();
                e.metadata.creation_timestamp = old.metadata.creation_timestamp.clone();
            }
            store.put(e);
        }
    }
    // The Endpoints of Services that are gone, or lost their selector.
    for old in store.list(None) {
        let k = key(&old.metadata);
        if !wanted.iter().any(|w| key(&w.metadata) == k) {
            store.delete(&k.0, &k.1);
        }
    }
}

fn key(meta: &ObjectMeta) -> (String, String) {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

fn selects(selector: &BTreeMap<String, String>, pod: &Pod) -> bool {
    let labels = pod.metadata.labels.as_ref();
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The pod's port for a Service's `targetPort`: a number, or a container port's name.
fn target_port(pod: &Pod, target: &IntOrString) -> Option<i32> {
    match target {
        IntOrString::Int(n) => Some(*n),
        IntOrString::String(name) => pod
            .spec
            .as_ref()?
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.container_port),
    }
}

pub fn endpoints_for(service: &Service, pods: &[Arc<Pod>]) -> Endpoints {
    let ns = service.metadata.namespace.clone().unwrap_or_default();
    let spec = service.spec.clone().unwrap_or_default();
    let selector = spec.selector.clone().unwrap_or_default();
    // One subset per distinct set of resolved ports, as the controller groups them.
    let mut subsets: Vec<EndpointSubset> = Vec::new();
    for pod in pods.iter().filter(|p| {
        p.metadata.namespace.as_deref() == Some(ns.as_str())
            && p.metadata.deletion_timestamp.is_none()
            && selects(&selector, p)
    }) {
        let Some(ip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()) else {
            continue;
        };
        let ports: Vec<EndpointPort> = spec
            .ports
            .iter()
            .flatten()
            .filter_map(|p| {
                let target = p.target_port.clone().unwrap_or(IntOrString::Int(p.port));
                Some(EndpointPort {
                    name: p.name.clone(),
                    port: target_port(pod, &target)?,
                    protocol: p.protocol.clone(),
                    app_protocol: p.app_protocol.clone(),
                })
            })
            .collect();
        let address = EndpointAddress {
            ip,
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".into()),
                name: pod.metadata.name.clone(),
                namespace: Some(ns.clone()),
                uid: pod.metadata.uid.clone(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let subset = match subsets
            .iter_mut()
            .position(|s| s.ports.as_ref() == Some(&ports))
        {
            Some(i) => &mut subsets[i],
            None => {
                subsets.push(EndpointSubset {
                    ports: Some(ports),
                    ..Default::default()
                });
                subsets.last_mut().expect("just pushed")
            }
        };
        let list = if ready(pod) {
            &mut subset.addresses
        } else {
            &mut subset.not_ready_addresses
        };
        list.get_or_insert_with(Vec::new).push(address);
    }
    Endpoints {
        metadata: ObjectMeta {
            name: service.metadata.name.clone(),
            namespace: Some(ns),
            labels: service.metadata.labels.clone(),
            uid: Some(super::pods::new_uid()),
            creation_timestamp: Some(Time(super::now())),
            ..Default::default()
        },
        subsets: (!subsets.is_empty()).then_some(subsets),
    }
}
