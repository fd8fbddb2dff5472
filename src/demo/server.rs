//! The accept loop: loopback only, one task per connection, every request authenticated with
//! one of the run's bearer tokens before it is routed, and the read-only user's exec and debug
//! containers refused as RBAC would refuse them.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Event, Namespace, Pod, Secret, Service};

use super::Shared;
use super::accounting::Accounting;
use super::http::{ApiResponse, error, json_response, status_object};
use super::kubeconfig::VIEWER_USER;
use super::rest;
use super::routes::{self, route};

/// The resources kept in [`super::store`]s and served by [`rest`].
const STORED: &[&str] = &[
    "pods",
    "configmaps",
    "secrets",
    "services",
    "endpoints",
    "events",
];

pub async fn serve(
    listener: TcpListener,
    tls: TlsAcceptor,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                let mut stop = stop.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    // A client that fails the handshake (plain HTTP, untrusted CA) just goes away.
                    let Ok(stream) = tls.accept(stream).await else { return };
                    let service = service_fn(move |req| {
                        let shared = shared.clone();
                        async move {
                            let asked = Accounting::asked(&req);
                            let response = handle(&shared, req).await;
                            Ok::<_, Infallible>(shared.accounting.answered(asked, response))
                        }
                    });
                    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service).with_upgrades();
                    // On stop the connection is dropped: open watches end with it.
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }
    }
}

/// Who sent the request: the demo's two users, told apart by their bearer tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum User {
    Admin,
    /// May read everything, change nothing: no exec, no debug containers.
    Viewer,
}

fn authenticate(shared: &Shared, req: &Request<Incoming>) -> Option<User> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?
        .trim()
        .as_bytes();
    if constant_time_eq(token, shared.token.as_bytes()) {
        Some(User::Admin)
    } else if constant_time_eq(token, shared.viewer_token.as_bytes()) {
        Some(User::Viewer)
    } else {
        None
    }
}

/// RBAC's refusal for the read-only user, in the apiserver's words (`pods "p" is forbidden:
/// User "viewer" cannot create resource "pods/exec" in API group "" in the namespace
/// "default"`): `kind` names the object, `resource` what was asked (a subresource too), and
/// `ns` is `None` at the cluster scope.
fn refuse(
    user: User,
    verb: &str,
    (kind, resource): (&str, &str),
    ns: Option<&str>,
    name: Option<&str>,
) -> Option<ApiResponse> {
    if user == User::Admin {
        return None;
    }
    let what = name.map_or(kind.to_string(), |n| format!("{kind} \"{n}\""));
    let scope = ns.map_or("at the cluster scope".to_string(), |ns| {
        format!("in the namespace \"{ns}\"")
    });
    let message = format!(
        "{what} is forbidden: User \"{VIEWER_USER}\" cannot {verb} resource \"{resource}\" in API group \"\" {scope}"
    );
    let details = json!({"name": name, "kind": kind});
    Some(json_response(
        StatusCode::FORBIDDEN,
        &status_object(403, "Forbidden", &message, Some(details)),
    ))
}

/// The RBAC verb of a write (`None` for reads).
fn write_verb(method: &Method) -> Option<&'static str> {
    match *method {
        Method::POST => Some("create"),
        Method::PUT => Some("update"),
        Method::PATCH => Some("patch"),
        Method::DELETE => Some("delete"),
        _ => None,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> ApiResponse {
    let Some(user) = authenticate(shared, &req) else {
        return error(401, "Unauthorized", "Unauthorized");
    };
    let path: Vec<String> = req
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    if path.first().is_some_and(|p| p == "podscope") {
        if user != User::Admin {
            return error(
                403,
                "Forbidden",
                &format!("forbidden: User \"{VIEWER_USER}\" cannot use the demo's controls"),
            );
        }
        return super::control::handle(shared, req, &path).await;
    }
    if let Some(answer) = super::control::gate(shared, &req, &path).await {
        return answer;
    }
    // The apiserver serves its metrics to those allowed `get` on the `/metrics` URL.
    if path == ["metrics"] && req.method() == Method::GET {
        if user != User::Admin {
            return error(
                403,
                "Forbidden",
                &format!("forbidden: User \"{VIEWER_USER}\" cannot get path \"/metrics\""),
            );
        }
        return super::http::full_response(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            bytes::Bytes::from(shared.accounting.exposition()),
        );
    }
    if let [api, v1, namespaces, ns, pods, name, sub] = path.as_slice()
        && [api, v1, namespaces, pods] == ["api", "v1", "namespaces", "pods"]
    {
        match sub.as_str() {
            // Since Kubernetes 1.31 a WebSocket exec (a GET) needs `create` as a POST does.
            "exec" => {
                if let Some(refusal) =
                    refuse(user, "create", ("pods", "pods/exec"), Some(ns), Some(name))
                {
                    return refusal;
                }
                return super::exec::exec(shared, req, ns, name).await;
            }
            "portforward" => {
                if let Some(refusal) = refuse(
                    user,
                    "create",
                    ("pods", "pods/portforward"),
                    Some(ns),
                    Some(name),
                ) {
                    return refusal;
                }
                return super::portforward::handle(shared, req, ns, name).await;
            }
            "ephemeralcontainers" => {
                let verb = match *req.method() {
                    Method::PATCH => Some("patch"),
                    Method::PUT => Some("update"),
                    _ => None,
                };
                if let Some(refusal) = verb.and_then(|verb| {
                    refuse(
                        user,
                        verb,
                        ("pods", "pods/ephemeralcontainers"),
                        Some(ns),
                        Some(name),
                    )
                }) {
                    return refusal;
                }
                return super::ephemeral::handle(shared, req, ns, name).await;
            }
            _ => {}
        }
    }
    // The kinds kept in stores: every verb, the same way.
    let (namespace, resource, name) = match path.as_slice() {
        [api, v1, resource] if api == "api" && v1 == "v1" => (None, resource.clone(), None),
        [api, v1, namespaces, ns, resource]
            if [api, v1, namespaces] == ["api", "v1", "namespaces"] =>
        {
            (Some(ns.clone()), resource.clone(), None)
        }
        [api, v1, namespaces, ns, resource, name]
            if [api, v1, namespaces] == ["api", "v1", "namespaces"] =>
        {
            (Some(ns.clone()), resource.clone(), Some(name.clone()))
        }
        _ => (None, String::new(), None),
    };
    // Namespaces are cluster-scoped: `/api/v1/namespaces[/NAME]`.
    let cluster_scoped = match path.as_slice() {
        [api, v1, namespaces] if [api, v1, namespaces] == ["api", "v1", "namespaces"] => Some(None),
        [api, v1, namespaces, name] if [api, v1, namespaces] == ["api", "v1", "namespaces"] => {
            Some(Some(name.clone()))
        }
        _ => None,
    };
    if let Some(name) = cluster_scoped {
        let verb = write_verb(req.method());
        if let Some(refusal) =
            verb.and_then(|v| refuse(user, v, ("namespaces", "namespaces"), None, name.as_deref()))
        {
            return refusal;
        }
        if req.method() == Method::DELETE
            && let Some(name) = &name
        {
            return super::namespaces::delete(shared, name);
        }
        let at = rest::Target {
            namespace: Some(""),
            name: name.as_deref(),
        };
        return rest::handle::<Namespace>(shared, req, at).await;
    }
    if STORED.contains(&resource.as_str()) {
        // The read-only user is like Kubernetes' `view` role: it changes nothing and reads
        // no Secrets.
        let verb = write_verb(req.method()).or_else(|| {
            let watching = req
                .uri()
                .query()
                .is_some_and(|q| q.contains("watch=true") || q.contains("watch=1"));
            (resource == "secrets").then_some(match (&name, watching) {
                (Some(_), _) => "get",
                (None, true) => "watch",
                (None, false) => "list",
            })
        });
        // The namespace of a request across all of them is the cluster scope.
        let scope = namespace.as_deref();
        if let Some(refusal) =
            verb.and_then(|verb| refuse(user, verb, (&resource, &resource), scope, name.as_deref()))
        {
            return refusal;
        }
        let at = rest::Target {
            namespace: namespace.as_deref(),
            name: name.as_deref(),
        };
        return match resource.as_str() {
            "pods"
                if req.method() == Method::DELETE
                    && at.namespace.is_some()
                    && at.name.is_some() =>
            {
                let (ns, name) = (namespace.unwrap_or_default(), name.unwrap_or_default());
                super::writes::delete_pod(shared, req, &ns, &name).await
            }
            "pods" => rest::handle::<Pod>(shared, req, at).await,
            "configmaps" => rest::handle::<ConfigMap>(shared, req, at).await,
            "secrets" => rest::handle::<Secret>(shared, req, at).await,
            "services" => rest::handle::<Service>(shared, req, at).await,
            "events" => rest::handle::<Event>(shared, req, at).await,
            _ => rest::handle::<Endpoints>(shared, req, at).await,
        };
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    route(
        shared,
        routes::Request {
            method: req.method(),
            path: req.uri().path(),
            query: req.uri().query(),
            accept: &accept,
        },
    )
    .await
}
