//! The accept loop: loopback only, one task per connection, every request authenticated with
//! the run's bearer token before it is routed.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use super::Shared;
use super::http::{ApiResponse, error};
use super::routes::{self, route};

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
                        async move { Ok::<_, Infallible>(handle(&shared, req).await) }
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

fn authorized(shared: &Shared, req: &Request<Incoming>) -> bool {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| constant_time_eq(token.trim().as_bytes(), shared.token.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn handle(shared: &Arc<Shared>, req: Request<Incoming>) -> ApiResponse {
    if !authorized(shared, &req) {
        return error(401, "Unauthorized", "Unauthorized");
    }
    let path: Vec<String> = req
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    if let [api, v1, namespaces, ns, pods, name, sub] = path.as_slice()
        && [api, v1, namespaces, pods] == ["api", "v1", "namespaces", "pods"]
    {
        match sub.as_str() {
            "exec" => return super::exec::exec(shared, req, ns, name).await,
            "ephemeralcontainers" => return super::ephemeral::handle(shared, req, ns, name).await,
            _ => {}
        }
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
