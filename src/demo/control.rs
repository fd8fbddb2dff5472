//! The faults at work: [`gate`] stands before every API request and answers for the faults in
//! force (a status, a delay, RBAC's refusal), and [`handle`] serves the control endpoint under
//! `/podscope/` that sets them and acts on the cluster (see [`super::faults`]). Only the admin
//! user may use it.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode, header};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use serde_json::json;

use super::Shared;
use super::faults::FaultSet;
use super::http::{ApiResponse, error, json_response, param, query_pairs, status_object};
use super::kubeconfig::CONTEXT;

/// An injected status as the apiserver words it.
fn injected(code: u16, retry_after: Option<u64>) -> ApiResponse {
    let (reason, message) = match code {
        429 => (
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
        ),
        500 => (
            "InternalError",
            "an error on the server (\"injected fault\") has prevented the request from succeeding",
        ),
        _ => (
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
    };
    let mut details = None;
    if let Some(s) = retry_after {
        details = Some(json!({"retryAfterSeconds": s}));
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut response = json_response(status, &status_object(code, reason, message, details));
    if let Some(value) =
        retry_after.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn forbidden(what: &str, verb: &str, resource: &str, ns: Option<&str>) -> ApiResponse {
    let scope = ns.map_or("at the cluster scope".to_string(), |ns| {
        format!("in the namespace \"{ns}\"")
    });
    let message = format!(
        "{what} is forbidden: User \"{CONTEXT}\" cannot {verb} resource \"{resource}\" in API group \"\" {scope}"
    );
    json_response(
        StatusCode::FORBIDDEN,
        &status_object(403, "Forbidden", &message, Some(json!({"kind": resource}))),
    )
}

/// The RBAC verb of a request on a collection or an object.
fn verb(method: &Method, named: bool, watch: bool) -> &'static str {
    match *method {
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ if watch => "watch",
        _ if named => "get",
        _ => "list",
    }
}

/// The answer the faults in force give this request, if any (after any delay they ask for).
pub async fn gate(
    shared: &Shared,
    req: &Request<Incoming>,
    path: &[String],
) -> Option<ApiResponse> {
    let faults = shared.faults.now();
    if faults == FaultSet::default() {
        return None;
    }
    if let Some(delay) = faults.slow {
        tokio::time::sleep(delay).await;
    }
    if let Some(code) = faults.status {
        return Some(injected(code, faults.retry_after));
    }
    let watch = req
        .uri()
        .query()
        .is_some_and(|q| q.contains("watch=true") || q.contains("watch=1"));
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    match parts.as_slice() {
        [
            "api",
            "v1",
            "namespaces",
            _,
            "pods",
            name,
            "exec" | "attach",
        ] if faults.deny_exec => {
            let ns = path[3].as_str();
            let what = format!("pods \"{name}\"");
            Some(forbidden(&what, "create", "pods/exec", Some(ns)))
        }
        ["api", "v1", "namespaces", ns, resource, rest @ ..]
            if faults.deny_namespaces.contains(*ns) =>
        {
            let named = rest.first().copied();
            let what = named.map_or(resource.to_string(), |n| format!("{resource} \"{n}\""));
            let v = verb(req.method(), named.is_some(), watch);
            Some(forbidden(&what, v, resource, Some(ns)))
        }
        ["api", "v1", resource] if faults.deny_all_namespaces && *resource != "namespaces" => {
            let v = verb(req.method(), false, watch);
            Some(forbidden(resource, v, resource, None))
        }
        _ => None,
    }
}

/// `/podscope/...`: the faults and the actions.
pub async fn handle(shared: &Arc<Shared>, req: Request<Incoming>, path: &[String]) -> ApiResponse {
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    let method = req.method().clone();
    match (method, parts.as_slice()) {
        (Method::GET, ["podscope", "faults"]) => spec_response(&shared.faults.now()),
        (Method::DELETE, ["podscope", "faults"]) => {
            shared.faults.set(FaultSet::default());
            spec_response(&FaultSet::default())
        }
        (Method::POST | Method::PUT, ["podscope", "faults"]) => {
            let text = match body_text(req).await {
                Ok(t) => t,
                Err(e) => return e,
            };
            match FaultSet::parse(&text) {
                Ok(set) => {
                    shared.faults.set(set.clone());
                    spec_response(&set)
                }
                Err(e) => error(400, "BadRequest", &e.to_string()),
            }
        }
        (Method::POST, ["podscope", "drop-watches"]) => {
            shared.faults.drop_watches();
            json_response(StatusCode::OK, &json!({"dropped": true}))
        }
        (Method::POST, ["podscope", "recreate", ns, name]) => recreate(shared, ns, name).await,
        (Method::POST, ["podscope", "burst"]) => {
            let query = query_pairs(req.uri().query());
            let count = |key: &str| param(&query, key).and_then(|v| v.parse::<usize>().ok());
            let (add, remove) = (count("add").unwrap_or(0), count("remove").unwrap_or(0));
            if add > 100_000 || remove > 100_000 {
                return error(
                    400,
                    "BadRequest",
                    "a burst adds or removes at most 100000 pods",
                );
            }
            let (added, removed) = burst(shared, add, remove);
            json_response(StatusCode::OK, &json!({"added": added, "removed": removed}))
        }
        _ => error(
            404,
            "NotFound",
            "no such control (GET/POST/DELETE /podscope/faults, POST /podscope/drop-watches, /podscope/recreate/NS/NAME, /podscope/burst?add=N&remove=M)",
        ),
    }
}

fn spec_response(set: &FaultSet) -> ApiResponse {
    json_response(StatusCode::OK, &json!({"faults": set.spec()}))
}

/// The body as a fault spec: plain text, or JSON `{"faults": "..."}` (what `kubectl create
/// --raw -f` sends is the file as it is).
async fn body_text(req: Request<Incoming>) -> Result<String, ApiResponse> {
    let bytes: Bytes = Limited::new(req.into_body(), 64 << 10)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| error(400, "BadRequest", &format!("cannot read the body: {e}")))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => Ok(v
            .get("faults")
            .and_then(|f| f.as_str())
            .unwrap_or_default()
            .to_string()),
        Err(_) => Ok(text),
    }
}

/// Delete the pod at once and create it again under the same name: a new UID, a fresh
/// status, run again if the demo ran it (as a controller replacing a StatefulSet pod does).
async fn recreate(shared: &Arc<Shared>, ns: &str, name: &str) -> ApiResponse {
    let Some(old) = shared.pod(ns, name) else {
        return super::http::not_found("pods", name);
    };
    let ran = shared.runtime.runs(ns, name);
    super::writes::terminate_pod(shared, ns, name, 0).await;
    let mut pod: Pod = (*old).clone();
    pod.metadata.resource_version = None;
    pod.metadata.deletion_timestamp = None;
    pod.metadata.deletion_grace_period_seconds = None;
    if ran {
        super::writes::prepare_pod(&mut pod);
    } else {
        pod.metadata.uid = Some(super::pods::new_uid());
        pod.metadata.creation_timestamp = Some(
            k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(super::now()),
        );
    }
    let uid = pod.metadata.uid.clone();
    if let Ok(mut store) = shared.store.lock() {
        store.put(pod);
    }
    if ran {
        super::runtime::Runtime::run_pod(shared, ns, name, shared.stop.clone());
    }
    json_response(StatusCode::OK, &json!({"recreated": name, "uid": uid}))
}

/// The namespace burst pods are made in.
const BURST_NAMESPACE: &str = "burst";

/// Add `add` simulated pods (namespace `burst`) and remove `remove` pods (burst pods first,
/// newest first, then simulated ones), in one go. How many were added and removed.
fn burst(shared: &Shared, add: usize, remove: usize) -> (usize, usize) {
    if add > 0
        && let Ok(mut namespaces) = shared.namespaces.lock()
        && namespaces.get("", BURST_NAMESPACE).is_none()
    {
        let mut ns = Namespace::default();
        ns.metadata.name = Some(BURST_NAMESPACE.to_string());
        ns.metadata.uid = Some(super::pods::new_uid());
        super::namespaces::defaults(&mut ns);
        namespaces.put(ns);
    }
    let Ok(mut store) = shared.store.lock() else {
        return (0, 0);
    };
    let first = store.count(Some(BURST_NAMESPACE));
    let mut added = 0;
    for (i, mut pod) in super::synthetic::synthetic_pods(add, super::now())
        .into_iter()
        .enumerate()
    {
        let base = pod.metadata.name.take().unwrap_or_default();
        let mut n = first + i;
        let mut name = format!("{base}-b{n}");
        while store.get(BURST_NAMESPACE, &name).is_some() {
            n += add;
            name = format!("{base}-b{n}");
        }
        pod.metadata.name = Some(name);
        pod.metadata.namespace = Some(BURST_NAMESPACE.to_string());
        store.put(pod);
        added += 1;
    }
    let mut victims: Vec<(String, String)> = store
        .list(Some(BURST_NAMESPACE))
        .iter()
        .rev()
        .map(|p| key(p))
        .collect();
    victims.extend(
        store
            .list(None)
            .iter()
            .filter(|p| {
                p.metadata
                    .namespace
                    .as_deref()
                    .is_some_and(|n| n.starts_with("synthetic-"))
            })
            .map(|p| key(p)),
    );
    let mut removed = 0;
    for (ns, name) in victims.into_iter().take(remove) {
        if store.delete(&ns, &name).is_some() {
            removed += 1;
        }
    }
    (added, removed)
}

fn key(pod: &Pod) -> (String, String) {
    (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

/// How long a session may run before `exec-cut` ends it (`None`: as long as it likes).
pub fn exec_limit(shared: &Shared) -> Option<Duration> {
    shared.faults.now().exec_cut
}

/// How many lines a log stream may send before `log-cut` ends it.
pub fn log_limit(shared: &Shared) -> Option<usize> {
    shared.faults.now().log_cut
}
