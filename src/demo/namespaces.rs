//! Namespaces, stored like every kind but cluster-scoped: the four a kubeadm cluster starts
//! with and those of the demo's pods, then the learner's own (`kubectl create namespace`).
//! An object can only be made in a namespace that exists (the NamespaceLifecycle admission's
//! 404). Deleting one marks it Terminating, deletes everything in it (pods gracefully), and
//! then the namespace; `default`, `kube-system` and `kube-public` cannot be deleted.

use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, NamespaceSpec, NamespaceStatus, Pod, Secret, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::json;

use super::Shared;
use super::http::{ApiResponse, json_response, not_found, status_object};
use super::kinds::Kind;

/// Kubernetes' own namespaces, which the demo has from the start.
const BUILT_IN: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];
const UNDELETABLE: &[&str] = &["default", "kube-public", "kube-system"];

/// What the apiserver fills in on a new namespace.
pub fn defaults(ns: &mut Namespace) {
    let name = ns.metadata.name.clone().unwrap_or_default();
    ns.metadata.namespace = None;
    ns.metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert("kubernetes.io/metadata.name".into(), name);
    ns.spec = Some(NamespaceSpec {
        finalizers: Some(vec!["kubernetes".into()]),
    });
    ns.status = Some(NamespaceStatus {
        phase: Some("Active".into()),
        ..Default::default()
    });
}

/// The namespaces a new cluster has: the built-in ones and those `names` need.
pub fn initial(
    names: impl IntoIterator<Item = String>,
    created: k8s_openapi::jiff::Timestamp,
) -> Vec<Namespace> {
    let mut all: Vec<String> = BUILT_IN.iter().map(|n| n.to_string()).collect();
    all.extend(names);
    all.sort();
    all.dedup();
    all.into_iter()
        .map(|name| {
            let mut ns = Namespace::default();
            ns.metadata.name = Some(name);
            ns.metadata.uid = Some(super::pods::new_uid());
            ns.metadata.creation_timestamp = Some(Time(created));
            defaults(&mut ns);
            ns
        })
        .collect()
}

/// Whether objects may be made in `name` now (it exists and is not terminating).
// The refusal is the response itself, made once per request; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn admits(shared: &Shared, name: &str) -> Result<(), ApiResponse> {
    let found = shared.namespaces.lock().ok().and_then(|s| s.get("", name));
    match found {
        None => Err(not_found("namespaces", name)),
        Some(ns) if ns.metadata.deletion_timestamp.is_some() => {
            let message = format!(
                "unable to create new content in namespace {name} because it is being terminated"
            );
            let details = json!({"name": name, "kind": "namespaces"});
            Err(json_response(
                StatusCode::FORBIDDEN,
                &status_object(403, "Forbidden", &message, Some(details)),
            ))
        }
        Some(_) => Ok(()),
    }
}

/// `DELETE /api/v1/namespaces/NAME`: Terminating now, gone once everything in it is.
pub fn delete(shared: &Arc<Shared>, name: &str) -> ApiResponse {
    if UNDELETABLE.contains(&name) {
        let message =
            format!("namespaces \"{name}\" is forbidden: this namespace may not be deleted");
        let details = json!({"name": name, "kind": "namespaces"});
        return json_response(
            StatusCode::FORBIDDEN,
            &status_object(403, "Forbidden", &message, Some(details)),
        );
    }
    let marked = shared.namespaces.lock().ok().and_then(|mut store| {
        store.update("", name, |ns| {
            if ns.metadata.deletion_timestamp.is_none() {
                ns.metadata.deletion_timestamp = Some(Time(super::now()));
            }
            ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
        })?;
        store.get("", name)
    });
    let Some(marked) = marked else {
        return not_found("namespaces", name);
    };
    let (shared2, ns) = (shared.clone(), name.to_string());
    tokio::spawn(async move {
        let pods: Vec<Arc<Pod>> = shared2
            .store
            .lock()
            .map(|s| s.list(Some(&ns)))
            .unwrap_or_default();
        let mut endings = Vec::new();
        for pod in pods {
            let pod_name = pod.metadata.name.clone().unwrap_or_default();
            let grace = pod
                .spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds)
                .unwrap_or(30);
            let (shared3, ns3) = (shared2.clone(), ns.clone());
            endings.push(tokio::spawn(async move {
                super::writes::terminate_pod(&shared3, &ns3, &pod_name, grace).await;
            }));
        }
        for ending in endings {
            let _ = ending.await;
        }
        clear::<Service>(&shared2, &ns);
        clear::<ConfigMap>(&shared2, &ns);
        clear::<Secret>(&shared2, &ns);
        clear::<Endpoints>(&shared2, &ns);
        clear::<Event>(&shared2, &ns);
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(mut store) = shared2.namespaces.lock() {
            store.delete("", &ns);
        }
    });
    json_response(
        StatusCode::OK,
        &serde_json::to_value(marked.as_ref()).unwrap_or_default(),
    )
}

fn clear<T: Kind>(shared: &Shared, ns: &str) {
    if let Ok(mut store) = T::store(shared).lock() {
        for o in store.list(Some(ns)) {
            let name = o.metadata().name.clone().unwrap_or_default();
            store.delete(ns, &name);
            let key = (T::URL_PATH_SEGMENT.to_string(), ns.to_string(), name);
            shared.owners.forget(&key);
        }
    }
}
