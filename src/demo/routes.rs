//! The read-only rest of the API the demo cluster serves (`reference/k8s-protocol.md` §0):
//! version, discovery ([`super::discovery`]), the OpenAPI v3 documents, logs, EndpointSlices
//! and metrics. The stored kinds (pods, Services...) are [`super::rest`]'s.

use std::sync::Arc;

use hyper::{Method, StatusCode};
use tokio::sync::mpsc;

use super::Shared;
use super::discovery::{discovery_core, discovery_groups, resource_list, version};
use super::http::{
    ApiResponse, empty, error, full_response, json_response, not_found, param, query_pairs,
    stream_response,
};
use super::runtime::LogWriter;

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
        ["api", "v1", "namespaces", ns, "pods", name, "log"] => log(shared, ns, name, &params),
        ["apis", "discovery.k8s.io", "v1"] => {
            json_response(StatusCode::OK, &super::slices::resource_list())
        }
        ["apis", "discovery.k8s.io", "v1", "endpointslices"] => {
            super::slices::list(shared, None, &params, req.accept)
        }
        [
            "apis",
            "discovery.k8s.io",
            "v1",
            "namespaces",
            ns,
            "endpointslices",
        ] => super::slices::list(shared, Some(ns), &params, req.accept),
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
        ["openapi", "v3"] => super::openapi::root(),
        ["openapi", "v3", "api", "v1"] => super::openapi::core_v1(req.accept),
        _ => error(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
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
    // `log-cut`: a followed stream ends after so many new lines, as when a kubelet restarts
    // mid-follow. What was written before the request is always sent, so a client that
    // resumes (re-reading the second it stopped in) still gets further each time.
    let mut budget = super::control::log_limit(shared);
    let cut = |lines: &mut Vec<_>, budget: &mut Option<usize>| {
        if let Some(left) = budget {
            lines.truncate(*left);
            *left -= lines.len();
        }
    };
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
            let (mut new, now_seen) = book.after(seen);
            seen = now_seen;
            cut(&mut new, &mut budget);
            if !new.is_empty() && tx.send(writer.write(&new)).await.is_err() {
                return;
            }
            if finished || writer.exhausted() || budget == Some(0) {
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
