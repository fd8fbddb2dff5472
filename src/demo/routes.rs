//! The Kubernetes API subset the demo cluster serves (`reference/k8s-protocol.md` §0):
//! version and discovery (from [`super::discovery`]), namespaces, pods (get, list, watch,
//! Table), logs, events, Services (read-only, from [`super::services`]).

use std::sync::Arc;

use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::discovery::{discovery_core, discovery_groups, resource_list, version};
use super::http::{
    ApiResponse, bad_request, empty, error, full_response, json_response, not_found, param,
    query_pairs, stream_response, wants_table,
};
use super::paging;
use super::runtime::LogWriter;
use super::selectors::Selector;
use super::table::{IncludeObject, table};
use super::{Shared, pod_json};

/// One request, already authenticated.
pub struct Request<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub accept: &'a str,
}

pub async fn route(shared: &Arc<Shared>, req: Request<'_>) -> ApiResponse {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let params = query_pairs(req.query);
    if req.method != Method::GET {
        return error(
            405,
            "MethodNotAllowed",
            &format!(
                "the server does not allow this method on the requested resource ({} {})",
                req.method, req.path
            ),
        );
    }
    match segments.as_slice() {
        ["version"] => json_response(StatusCode::OK, &version()),
        ["api"] => discovery_core(req.accept, &shared.address),
        ["apis"] => discovery_groups(req.accept),
        ["api", "v1"] => json_response(StatusCode::OK, &resource_list()),
        ["api", "v1", "namespaces"] => namespaces(shared),
        ["api", "v1", "namespaces", ns] => namespace(shared, ns),
        ["api", "v1", "pods"] => pods(shared, None, &params, req.accept).await,
        ["api", "v1", "namespaces", ns, "pods"] => {
            pods(shared, Some(ns), &params, req.accept).await
        }
        ["api", "v1", "namespaces", ns, "pods", name] => pod(shared, ns, name, req.accept),
        ["api", "v1", "namespaces", ns, "pods", name, "log"] => log(shared, ns, name, &params),
        ["api", "v1", "namespaces", ns, "events"] => {
            super::event_watch::events(shared, Some(ns), &params)
        }
        ["apis", "metrics.k8s.io", "v1beta1"] => {
            json_response(StatusCode::OK, &super::metrics::resource_list())
        }
        ["apis", "metrics.k8s.io", "v1beta1", "pods"] => super::metrics::pods(shared, None),
        [
            "apis",
            "metrics.k8s.io",
            "v1beta1",
            "namespaces",
            ns,
            "pods",
        ] => super::metrics::pods(shared, Some(ns)),
        [
            "apis",
            "metrics.k8s.io",
            "v1beta1",
            "namespaces",
            ns,
            "pods",
            name,
        ] => super::metrics::pod(shared, ns, name),
        ["api", "v1", "services"] => {
            super::services::list(shared, None, &params, req.accept, resource_version(shared))
        }
        ["api", "v1", "namespaces", ns, "services"] => super::services::list(
            shared,
            Some(ns),
            &params,
            req.accept,
            resource_version(shared),
        ),
        ["api", "v1", "namespaces", ns, "services", name] => {
            super::services::get(shared, ns, name, req.accept, resource_version(shared))
        }
        ["api", "v1", "events"] => super::event_watch::events(shared, None, &params),
        _ => error(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}

fn resource_version(shared: &Shared) -> u64 {
    shared
        .store
        .lock()
        .map(|s| s.resource_version())
        .unwrap_or(0)
}

fn namespace_object(shared: &Shared, name: &str) -> Value {
    json!({"kind": "Namespace", "apiVersion": "v1",
        "metadata": {"name": name, "creationTimestamp": shared.started.to_string()},
        "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

fn namespaces(shared: &Shared) -> ApiResponse {
    let Ok(store) = shared.store.lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    let items: Vec<Value> = store
        .namespaces()
        .iter()
        .map(|n| namespace_object(shared, n))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": "NamespaceList", "apiVersion": "v1", "metadata": {"resourceVersion": store.resource_version().to_string()}, "items": items}),
    )
}

fn namespace(shared: &Shared, name: &str) -> ApiResponse {
    let Ok(store) = shared.store.lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    if store.namespaces().iter().any(|n| n == name) {
        json_response(StatusCode::OK, &namespace_object(shared, name))
    } else {
        not_found("namespaces", name)
    }
}

fn pod(shared: &Shared, ns: &str, name: &str, accept: &str) -> ApiResponse {
    let Ok(store) = shared.store.lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    match store.get(ns, name) {
        Some(p) if wants_table(accept) => json_response(
            StatusCode::OK,
            &table(
                &[&p],
                store.resource_version(),
                super::now(),
                IncludeObject::Metadata,
                true,
            ),
        ),
        Some(p) => json_response(StatusCode::OK, &pod_json(&p)),
        None => not_found("pods", name),
    }
}

async fn pods(
    shared: &Arc<Shared>,
    ns: Option<&str>,
    params: &[(String, String)],
    accept: &str,
) -> ApiResponse {
    let selector = match Selector::parse(
        param(params, "labelSelector"),
        param(params, "fieldSelector"),
    ) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    if matches!(param(params, "watch"), Some("true" | "1")) {
        return super::pod_watch::watch(shared, ns, selector, params, wants_table(accept));
    }
    let resume = match param(params, "continue").filter(|t| !t.is_empty()) {
        Some(token) => match paging::parse_continue(token) {
            Ok(resume) => Some(resume),
            Err(message) => return bad_request(&message),
        },
        None => None,
    };
    let limit = param(params, "limit").and_then(|l| l.parse::<usize>().ok());
    let Ok(store) = shared.store.lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    if let Some(resume) = &resume
        && store.watch_from(resume.rv).is_err()
    {
        return error(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        );
    }
    let pods: Vec<_> = store
        .list(ns)
        .into_iter()
        .filter(|p| selector.matches(p))
        .collect();
    let rv = resume.as_ref().map_or(store.resource_version(), |r| r.rv);
    drop(store);
    let key = |p: &Arc<k8s_openapi::api::core::v1::Pod>| {
        let meta = &p.metadata;
        (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    };
    let (pods, more) = paging::page(pods, key, limit, resume.as_ref().map(|r| &r.after));
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if let Some((last, remaining)) = more {
        metadata["continue"] = json!(paging::continue_token(rv, &last));
        metadata["remainingItemCount"] = json!(remaining);
    }
    if wants_table(accept) {
        let refs: Vec<_> = pods.iter().map(|p| p.as_ref()).collect();
        let include = IncludeObject::parse(param(params, "includeObject"));
        let mut list = table(&refs, rv, super::now(), include, true);
        list["metadata"] = metadata;
        return json_response(StatusCode::OK, &list);
    }
    // Written straight from the pods: through a `Value` first, a page of 500 took twice as long.
    let list = PodList {
        kind: "PodList",
        api_version: "v1",
        metadata,
        items: pods.iter().map(|p| p.as_ref()).collect(),
    };
    let mut body = serde_json::to_vec(&list).unwrap_or_default();
    body.push(b'\n');
    full_response(StatusCode::OK, "application/json", Bytes::from(body))
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PodList<'a> {
    kind: &'static str,
    api_version: &'static str,
    metadata: Value,
    items: Vec<&'a k8s_openapi::api::core::v1::Pod>,
}

fn log(shared: &Shared, ns: &str, name: &str, params: &[(String, String)]) -> ApiResponse {
    if let Err(invalid) = super::logs::validate_options(params) {
        return invalid.into_response();
    }
    let Some(pod) = shared.pod(ns, name) else {
        return not_found("pods", name);
    };
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_none()
    {
        // An unscheduled pod has no kubelet to ask: the apiserver answers 204.
        return empty(StatusCode::NO_CONTENT, None);
    }
    let previous = matches!(param(params, "previous"), Some("true" | "1"));
    let target = match super::logs::target(&pod, param(params, "container"), previous) {
        Ok(target) => target,
        Err(e) => return e.into_response(),
    };
    let query = super::logs::query(params, std::time::SystemTime::now());
    // Simulated (synthetic) pods have statuses but no processes, so nothing was written.
    let Some(book) = target
        .container_id
        .as_deref()
        .and_then(|id| shared.runtime.logbook(id))
    else {
        return empty(StatusCode::OK, Some("text/plain"));
    };
    let follow = matches!(param(params, "follow"), Some("true" | "1")) && target.running;
    let mut writer = LogWriter::new(&query);
    let (lines, seen) = book.select(&query);
    let first = writer.write(&lines);
    if !follow || writer.exhausted() {
        return full_response(StatusCode::OK, "text/plain", first);
    }
    let (tx, rx) = mpsc::channel(64);
    let mut stop = shared.stop.clone();
    tokio::spawn(async move {
        if !first.is_empty() && tx.send(first).await.is_err() {
            return;
        }
        let (mut seen, mut progress) = (seen, book.progress());
        loop {
            let finished = progress.borrow_and_update().finished;
            let (new, now_seen) = book.after(seen);
            seen = now_seen;
            if !new.is_empty() && tx.send(writer.write(&new)).await.is_err() {
                return;
            }
            if finished || writer.exhausted() {
                return;
            }
            tokio::select! {
                changed = progress.changed() => if changed.is_err() { return },
                _ = tx.closed() => return,
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    });
    stream_response("text/plain", rx)
}
