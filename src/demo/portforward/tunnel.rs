//! One SPDY port-forward session, whatever carries its bytes: streams accepted as they open,
//! each `requestid`'s data stream joined to a connection into the pod once it arrives, the
//! pod's bytes sent back as DATA frames, FIN when either side ends, PINGs answered.

use std::collections::HashMap;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};

use super::Destination;
use super::spdy::{self, Frame};
use super::zlib::{Deflater, Inflater};

/// The largest DATA frame the demo sends.
const CHUNK: usize = 32 * 1024;

#[derive(Default)]
struct Request {
    error: Option<u32>,
    data: Option<u32>,
    port: Option<u16>,
    started: bool,
}

/// What the client sends towards the pod on one data stream: bytes, or its FIN (`None`).
type ToPod = mpsc::Sender<Option<Vec<u8>>>;

pub async fn serve(
    destination: Destination,
    mut incoming: mpsc::Receiver<Vec<u8>>,
    outgoing: mpsc::Sender<Vec<u8>>,
    mut stop: watch::Receiver<bool>,
) {
    let (mut inflater, mut deflater) = (Inflater::default(), Deflater::default());
    let mut buffer: Vec<u8> = Vec::new();
    let mut requests: HashMap<String, Request> = HashMap::new();
    let mut to_pod: HashMap<u32, ToPod> = HashMap::new();
    loop {
        let bytes = tokio::select! {
            bytes = incoming.recv() => bytes,
            _ = async { let _ = stop.wait_for(|s| *s).await; } => None,
        };
        let Some(bytes) = bytes else { break };
        buffer.extend_from_slice(&bytes);
        let frames = match spdy::take_frames(&mut buffer, &mut inflater) {
            Ok(frames) => frames,
            Err(_) => break,
        };
        for frame in frames {
            match frame {
                Frame::SynStream { id, headers, .. } => {
                    if outgoing
                        .send(spdy::syn_reply(id, &mut deflater))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    let get =
                        |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                    let request = requests
                        .entry(get("requestid").unwrap_or_default())
                        .or_default();
                    match get("streamtype").as_deref() {
                        Some("error") => request.error = Some(id),
                        Some("data") => request.data = Some(id),
                        _ => {}
                    }
                    let port = get("port");
                    request.port = request.port.or(port.and_then(|p| p.parse::<u16>().ok()));
                    if let (Some(data), Some(error), false) =
                        (request.data, request.error, request.started)
                    {
                        request.started = true;
                        let (tx, rx) = mpsc::channel(64);
                        to_pod.insert(data, tx);
                        tokio::spawn(forward(
                            destination.clone(),
                            (error, data),
                            request.port,
                            port_text(&headers),
                            rx,
                            outgoing.clone(),
                        ));
                    }
                }
                Frame::Data { id, data, fin } => {
                    if let Some(tx) = to_pod.get(&id) {
                        if !data.is_empty() {
                            let _ = tx.send(Some(data)).await;
                        }
                        if fin {
                            let _ = tx.send(None).await;
                        }
                    }
                }
                Frame::Reset { id } => {
                    to_pod.remove(&id);
                }
                Frame::Ping(payload) => {
                    if outgoing.send(spdy::ping(&payload)).await.is_err() {
                        return;
                    }
                }
                Frame::GoAway => return,
                Frame::Other => {}
            }
        }
    }
    let _ = outgoing.send(spdy::goaway()).await;
}

fn port_text(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(n, _)| n == "port")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// One local connection: the pod's port, joined to the data stream; failures on the error
/// stream, as the kubelet writes them.
async fn forward(
    destination: Destination,
    (error, data): (u32, u32),
    port: Option<u16>,
    port_header: String,
    mut from_client: mpsc::Receiver<Option<Vec<u8>>>,
    outgoing: mpsc::Sender<Vec<u8>>,
) {
    let fail = |message: String| {
        let outgoing = outgoing.clone();
        async move {
            let _ = outgoing
                .send(spdy::data(error, message.as_bytes(), true))
                .await;
            let _ = outgoing.send(spdy::data(data, &[], true)).await;
        }
    };
    let port = match port {
        Some(0) => return fail("port \"0\" must be > 0".into()).await,
        Some(p) => p,
        None if port_header.is_empty() => return fail("\"port\" header is required".into()).await,
        None => {
            return fail(format!(
                "unable to parse \"{port_header}\" as a port: invalid syntax"
            ))
            .await;
        }
    };
    let stream = match destination.connect(port).await {
        Ok(s) => s,
        Err(message) => return fail(message).await,
    };
    let (mut pod_read, mut pod_write) = stream.into_split();
    let upstream = tokio::spawn(async move {
        while let Some(chunk) = from_client.recv().await {
            match chunk {
                Some(bytes) => {
                    if pod_write.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                None => {
                    let _ = pod_write.shutdown().await;
                    return;
                }
            }
        }
    });
    let mut buffer = vec![0u8; CHUNK];
    loop {
        match pod_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if outgoing
                    .send(spdy::data(data, &buffer[..n], false))
                    .await
                    .is_err()
                {
                    break;
                }
            }
        }
    }
    let _ = outgoing.send(spdy::data(data, &[], true)).await;
    let _ = outgoing.send(spdy::data(error, &[], true)).await;
    upstream.abort();
}
