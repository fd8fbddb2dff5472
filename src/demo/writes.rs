//! What pods add to the writes every kind has ([`super::rest`]), as the apiserver and the
//! kubelet do it:
//! - a new pod (`kubectl run`, `create -f`, `apply`) is defaulted, scheduled onto the demo
//!   node and run like the seed pods;
//! - `DELETE .../pods/NAME` (`kubectl delete pod`, `--grace-period`, `--force`): the pod gets
//!   its `deletionTimestamp` (Terminating), its containers SIGTERM and, after the grace
//!   period, SIGKILL; then it is removed and its volumes with it. Watchers see MODIFIED,
//!   then DELETED.

use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;

use super::http::{ApiResponse, json_response, not_found, param, query_pairs};
use super::{Shared, pod_json, pods};

/// What `spec.terminationGracePeriodSeconds` defaults to.
const DEFAULT_GRACE: i64 = 30;

/// What the apiserver discards and fills in on a new pod, then the scheduler's binding.
pub fn prepare_pod(pod: &mut Pod) {
    pod.status = None;
    if let Some(a) = pod.metadata.annotations.as_mut() {
        a.remove("kubectl.kubernetes.io/restartedAt");
    }
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.termination_grace_period_seconds
        .get_or_insert(DEFAULT_GRACE);
    spec.dns_policy
        .get_or_insert_with(|| "ClusterFirst".to_string());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".to_string());
    *pod = pods::admit(std::mem::take(pod), super::now());
}

/// `DELETE /api/v1/namespaces/NS/pods/NAME`.
pub async fn delete_pod(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
    name: &str,
) -> ApiResponse {
    let query = query_pairs(req.uri().query());
    let options = match super::rest::body(req).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let Some(pod) = shared.pod(namespace, name) else {
        return not_found("pods", name);
    };
    let asked = param(&query, "gracePeriodSeconds")
        .and_then(|g| g.parse::<i64>().ok())
        .or_else(|| options.get("gracePeriodSeconds").and_then(Value::as_i64));
    let grace = asked
        .or(pod
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds))
        .unwrap_or(DEFAULT_GRACE)
        .max(0);
    // A pod already terminating keeps the earlier deadline, unless asked for a shorter one.
    if pod.metadata.deletion_timestamp.is_some() && asked.is_none() {
        return json_response(StatusCode::OK, &pod_json(&pod));
    }
    let updated = mark_terminating(shared, namespace, name, grace);
    let (shared2, ns, n) = (shared.clone(), namespace.to_string(), name.to_string());
    tokio::spawn(async move { end(&shared2, &ns, &n, grace).await });
    json_response(StatusCode::OK, &pod_json(&updated.unwrap_or(pod)))
}

/// Set the pod's deletion time (now + `grace`): it is Terminating.
fn mark_terminating(shared: &Shared, namespace: &str, name: &str, grace: i64) -> Option<Arc<Pod>> {
    let deadline = super::now() + k8s_openapi::jiff::SignedDuration::from_secs(grace);
    let mut store = shared.store.lock().ok()?;
    store.update(namespace, name, |p| {
        p.metadata.deletion_timestamp = Some(Time(deadline));
        p.metadata.deletion_grace_period_seconds = Some(grace);
    })?;
    store.get(namespace, name)
}

/// Stop the pod's containers within `grace`, then remove it.
async fn end(shared: &Arc<Shared>, namespace: &str, name: &str, grace: i64) {
    shared
        .runtime
        .terminate(namespace, name, Duration::from_secs(grace.max(0) as u64))
        .await;
    if let Ok(mut store) = shared.store.lock() {
        store.delete(namespace, name);
    }
    let key = ("pods".to_string(), namespace.to_string(), name.to_string());
    shared.owners.forget(&key);
}

/// Delete a pod as `kubectl delete pod` does, and return when it is gone (a namespace's
/// deletion waits for its pods).
pub async fn terminate_pod(shared: &Arc<Shared>, namespace: &str, name: &str, grace: i64) {
    if mark_terminating(shared, namespace, name, grace).is_some() {
        end(shared, namespace, name, grace).await;
    }
}
