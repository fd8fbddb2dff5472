//! The pods a demo cluster starts with: the demo's own and the synthetic ones, or those a
//! previous run kept in its `--state-dir`.

use k8s_openapi::api::core::v1::Pod;

use super::store::Store;
use super::{DemoOptions, now, pods, state, synthetic};

pub fn listener_port(address: &str) -> u16 {
    address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

pub type Keys = Vec<(String, String)>;

fn key_of(pod: &Pod) -> (String, String) {
    (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

/// Simulated pods are only records: they live in these namespaces and are never run.
fn simulated(namespace: &str) -> bool {
    namespace.starts_with("synthetic-") || namespace == "burst"
}

/// A new cluster's pods: the demo's (to run) and the synthetic ones (for churn).
pub fn fresh_pods(store: &mut Store<Pod>, options: &DemoOptions) -> (Keys, Keys) {
    let mut run = Vec::new();
    for pod in pods::demo_pods(&options.extra) {
        run.push(key_of(&pod));
        store.put(pod);
    }
    let synthetic = synthetic::synthetic_pods(options.synthetic, now())
        .into_iter()
        .map(|pod| {
            let key = key_of(&pod);
            store.put(pod);
            key
        })
        .collect();
    (run, synthetic)
}

/// The pods a previous run kept. Those the demo runs start again (the same UID and creation
/// time, a fresh status, as after a node reboot); simulated ones are as they were.
pub fn restore_pods(store: &mut Store<Pod>, saved: &state::Saved) -> (Keys, Keys) {
    let (mut run, mut synthetic) = (Vec::new(), Vec::new());
    for pod in &saved.pods {
        let key = key_of(pod);
        let mut pod = pod.clone();
        if simulated(&key.0) {
            synthetic.push(key);
        } else {
            let (uid, created) = (
                pod.metadata.uid.clone(),
                pod.metadata.creation_timestamp.clone(),
            );
            pod.metadata.deletion_timestamp = None;
            pod.metadata.deletion_grace_period_seconds = None;
            pod = pods::admit(pod, now());
            pod.metadata.uid = uid;
            pod.metadata.creation_timestamp = created;
            run.push(key);
        }
        store.put(pod);
    }
    (run, synthetic)
}
