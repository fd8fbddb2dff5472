//! `.../pods/{name}/portforward` (`reference/k8s-writes.md` §9): connections to a pod's ports,
//! opened inside its network namespace, carried three ways:
//! - kubectl 1.31+: SPDY/3.1 inside a WebSocket (`SPDY/3.1+portforward.k8s.io`);
//! - older kubectl, or the fallback: SPDY/3.1 on the upgraded connection itself;
//! - kube-rs `Api::portforward`: the channel WebSocket protocol (`v4.channel.k8s.io`).
//!
//! For SPDY, each local connection is a pair of streams with the same `requestid` (`error`
//! and `data`); the kubelet's error text goes on the error stream when the pod's port refuses.

mod channels;
mod spdy;
mod tunnel;
mod zlib;

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::Shared;
use super::http::{ApiBody, ApiResponse, error, not_found, query_pairs};
use super::runtime::network::PodNetwork;

const SPDY_OVER_WEBSOCKET: &str = "SPDY/3.1+portforward.k8s.io";
const CHANNELS: &str = "v4.channel.k8s.io";

/// Where connections go: the pod's own network, or the host's for host-network pods.
#[derive(Clone)]
pub struct Destination {
    pub network: Option<Arc<PodNetwork>>,
    pub pod: String,
    pub uid: String,
}

impl Destination {
    /// A connection to `port` as a process in the pod would open it, or the kubelet's error.
    pub async fn connect(&self, port: u16) -> Result<TcpStream, String> {
        let network = self.network.clone();
        let opened = tokio::task::spawn_blocking(move || match network {
            Some(net) => net.connect(port),
            None => std::net::TcpStream::connect(("127.0.0.1", port)),
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()));
        let failure = |why: String| {
            format!(
                "error forwarding port {port} to pod {}, uid : failed to connect to localhost:{port} inside namespace of pod {:?}, IPv4: dial tcp4 127.0.0.1:{port}: connect: {}",
                self.uid,
                self.pod,
                why.split(" (os error")
                    .next()
                    .unwrap_or(&why)
                    .to_lowercase()
            )
        };
        let stream = opened.map_err(failure)?;
        stream.set_nonblocking(true).map_err(|e| e.to_string())?;
        TcpStream::from_std(stream).map_err(|e| e.to_string())
    }
}

fn header_has(req: &Request<Incoming>, name: header::HeaderName, wanted: &str) -> bool {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(wanted))
}

pub async fn handle(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
    name: &str,
) -> ApiResponse {
    let Some(pod) = shared.pod(namespace, name) else {
        return not_found("pods", name);
    };
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone());
    if phase.as_deref() != Some("Running") {
        return error(
            400,
            "BadRequest",
            &format!(
                "unable to upgrade connection: pod is not running (phase {})",
                phase.unwrap_or_default()
            ),
        );
    }
    let destination = Destination {
        network: shared.runtime.existing_network(namespace, name),
        pod: format!("{namespace}/{name}"),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
    };
    let websocket = header_has(&req, header::UPGRADE, "websocket");
    if websocket {
        let protocol = if header_has(&req, header::SEC_WEBSOCKET_PROTOCOL, SPDY_OVER_WEBSOCKET) {
            SPDY_OVER_WEBSOCKET
        } else if header_has(&req, header::SEC_WEBSOCKET_PROTOCOL, CHANNELS) {
            CHANNELS
        } else {
            return error(
                400,
                "BadRequest",
                "unsupported port-forward protocol: offer SPDY/3.1+portforward.k8s.io or v4.channel.k8s.io",
            );
        };
        let ports = match channels::ports(&query_pairs(req.uri().query())) {
            Ok(p) => p,
            Err(_) if protocol == SPDY_OVER_WEBSOCKET => Vec::new(),
            Err(message) => return error(400, "BadRequest", &message),
        };
        let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
            return error(
                400,
                "BadRequest",
                "a WebSocket upgrade needs Sec-WebSocket-Key",
            );
        };
        let stop = shared.stop.clone();
        tokio::spawn(async move {
            let Ok(upgraded) = hyper::upgrade::on(req).await else {
                return;
            };
            let ws =
                WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            if protocol == CHANNELS {
                channels::serve(ws, destination, ports, stop).await;
            } else {
                serve_spdy_in_websocket(ws, destination, stop).await;
            }
        });
        let mut response = switching(websocket_headers(&derive_accept_key(key.as_bytes())));
        if let Ok(v) = header::HeaderValue::from_str(protocol) {
            response
                .headers_mut()
                .insert(header::SEC_WEBSOCKET_PROTOCOL, v);
        }
        return response;
    }
    if header_has(&req, header::UPGRADE, "SPDY/3.1") {
        if !header_has(
            &req,
            "x-stream-protocol-version".parse().expect("a header name"),
            "portforward.k8s.io",
        ) {
            return error(
                400,
                "BadRequest",
                "unable to negotiate protocol: the server supports \"portforward.k8s.io\"",
            );
        }
        let stop = shared.stop.clone();
        tokio::spawn(async move {
            let Ok(upgraded) = hyper::upgrade::on(req).await else {
                return;
            };
            serve_spdy_on_socket(TokioIo::new(upgraded), destination, stop).await;
        });
        let mut response = switching(vec![
            (header::UPGRADE, "SPDY/3.1".to_string()),
            (header::CONNECTION, "Upgrade".to_string()),
        ]);
        response.headers_mut().insert(
            "x-stream-protocol-version",
            header::HeaderValue::from_static("portforward.k8s.io"),
        );
        return response;
    }
    error(400, "BadRequest", "Upgrade request required")
}

fn websocket_headers(accept: &str) -> Vec<(header::HeaderName, String)> {
    vec![
        (header::UPGRADE, "websocket".to_string()),
        (header::CONNECTION, "Upgrade".to_string()),
        (header::SEC_WEBSOCKET_ACCEPT, accept.to_string()),
    ]
}

fn switching(headers: Vec<(header::HeaderName, String)>) -> ApiResponse {
    let mut response = Response::new(ApiBody::Full(None));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    for (name, value) in headers {
        if let Ok(v) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// SPDY bytes carried in binary WebSocket messages, both ways.
async fn serve_spdy_in_websocket(
    ws: Socket,
    destination: Destination,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let (mut sink, mut source) = ws.split();
    let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>(64);
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(64);
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = source.next().await {
            match message {
                Message::Binary(bytes) if in_tx.send(bytes.to_vec()).await.is_err() => return,
                Message::Close(_) => return,
                _ => {}
            }
        }
    });
    let writer = tokio::spawn(async move {
        while let Some(bytes) = out_rx.recv().await {
            if sink.send(Message::binary(bytes)).await.is_err() {
                return;
            }
        }
        let _ = sink.close().await;
    });
    tunnel::serve(destination, in_rx, out_tx, stop).await;
    reader.abort();
    let _ = writer.await;
}

/// SPDY on the upgraded connection itself.
async fn serve_spdy_on_socket(
    socket: TokioIo<hyper::upgrade::Upgraded>,
    destination: Destination,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let (mut read, mut write) = tokio::io::split(socket);
    let (in_tx, in_rx) = mpsc::channel::<Vec<u8>>(64);
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(64);
    let reader = tokio::spawn(async move {
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            match read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if in_tx.send(buffer[..n].to_vec()).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    let writer = tokio::spawn(async move {
        while let Some(bytes) = out_rx.recv().await {
            if write.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = write.shutdown().await;
    });
    tunnel::serve(destination, in_rx, out_tx, stop).await;
    reader.abort();
    let _ = writer.await;
}
