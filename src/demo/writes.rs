//! Pods written through the API, as the apiserver and the kubelet handle them:
//! - `POST .../pods` (`kubectl run`, `kubectl create -f`): validated with the apiserver's
//!   messages, defaulted, scheduled onto the demo node and run like the seed pods;
//! - `DELETE .../pods/NAME` (`kubectl delete pod`, `--grace-period`, `--force`): the pod gets
//!   its `deletionTimestamp` (Terminating), its containers SIGTERM and, after the grace
//!   period, SIGKILL; then it is removed and its volumes with it. Watchers see MODIFIED,
//!   then DELETED.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use super::http::{
    ApiError, ApiResponse, bad_request, error, json_response, not_found, param, query_pairs,
    status_object,
};
use super::runtime::Runtime;
use super::{Shared, pod_json, pods, validate};

const MAX_BODY: usize = 4 << 20;
/// What `spec.terminationGracePeriodSeconds` defaults to.
const DEFAULT_GRACE: i64 = 30;

/// The request's JSON or YAML body as a value (`null` when there is none).
async fn body(req: Request<Incoming>) -> Result<Value, ApiError> {
    let bytes: Bytes = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes)
        .or_else(|_| serde_saphyr::from_slice::<Value>(&bytes).map_err(|e| e.to_string()))
        .map_err(|e| ApiError::bad_request(format!("the request body is not JSON or YAML: {e}")))
}

/// `POST /api/v1/namespaces/NS/pods`.
pub async fn create_pod(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
) -> ApiResponse {
    let dry_run = query_pairs(req.uri().query())
        .iter()
        .any(|(k, v)| k == "dryRun" && v == "All");
    let value = match body(req).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    if value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k != "Pod")
    {
        return bad_request("the kind of the provided object does not match the resource (pods)");
    }
    let mut pod: Pod = match serde_json::from_value(value) {
        Ok(p) => p,
        Err(e) => {
            return bad_request(&format!(
                "Pod in version \"v1\" cannot be handled as a Pod: {e}"
            ));
        }
    };
    if pod
        .metadata
        .namespace
        .as_deref()
        .is_some_and(|ns| ns != namespace)
    {
        return bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        );
    }
    pod.metadata.namespace = Some(namespace.to_string());
    if pod.metadata.name.as_deref().is_none_or(str::is_empty)
        && let Some(prefix) = pod.metadata.generate_name.clone()
    {
        pod.metadata.name = Some(format!("{prefix}{}", suffix()));
    }
    let causes = validate::pod_causes(&pod);
    if !causes.is_empty() {
        let name = pod.metadata.name.clone().unwrap_or_default();
        return validate::invalid("Pod", &name, &causes);
    }
    let name = pod.metadata.name.clone().unwrap_or_default();
    if shared.pod(namespace, &name).is_some() {
        let details = json!({"name": name, "kind": "pods"});
        return json_response(
            StatusCode::CONFLICT,
            &status_object(
                409,
                "AlreadyExists",
                &format!("pods \"{name}\" already exists"),
                Some(details),
            ),
        );
    }
    // What the apiserver discards and fills in, then the scheduler's binding.
    pod.status = None;
    pod.metadata.deletion_timestamp = None;
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
    let pod = pods::admit(pod, super::now());
    if dry_run {
        return json_response(StatusCode::CREATED, &pod_json(&pod));
    }
    let stored = {
        let Ok(mut store) = shared.store.lock() else {
            return error(500, "InternalError", "store unavailable");
        };
        store.put(pod);
        store.get(namespace, &name)
    };
    let Some(stored) = stored else {
        return error(500, "InternalError", "the pod was not stored");
    };
    Runtime::run_pod(shared, namespace, &name, shared.stop.clone());
    json_response(StatusCode::CREATED, &pod_json(&stored))
}

/// Five characters from the apiserver's alphabet for `generateName`.
fn suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    super::kubeconfig::random_hex(5)
        .unwrap_or_default()
        .bytes()
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

/// `DELETE /api/v1/namespaces/NS/pods/NAME`.
pub async fn delete_pod(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
    name: &str,
) -> ApiResponse {
    let query = query_pairs(req.uri().query());
    let options = match body(req).await {
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
    let now = super::now();
    let deadline = now + k8s_openapi::jiff::SignedDuration::from_secs(grace);
    let updated = shared.store.lock().ok().and_then(|mut store| {
        store.update(namespace, name, |p| {
            p.metadata.deletion_timestamp = Some(Time(deadline));
            p.metadata.deletion_grace_period_seconds = Some(grace);
        })?;
        store.get(namespace, name)
    });
    let shared2 = shared.clone();
    let (ns, n) = (namespace.to_string(), name.to_string());
    tokio::spawn(async move {
        shared2
            .runtime
            .terminate(&ns, &n, Duration::from_secs(grace as u64))
            .await;
        if let Ok(mut store) = shared2.store.lock() {
            store.delete(&ns, &n);
        }
    });
    json_response(StatusCode::OK, &pod_json(&updated.unwrap_or(pod)))
}
