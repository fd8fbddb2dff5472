//! The channel WebSocket protocol of port-forward (`v4.channel.k8s.io`, what kube-rs
//! `Api::portforward` speaks; `reference/k8s-writes.md` §9.3): the port at index i has data
//! channel 2i and error channel 2i+1; each channel's first server message is the channel and
//! the port (little-endian), then data, prefixed by its channel, both ways.

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use super::{Destination, Socket};

/// The `ports` (or the kubelet's `port`) query parameters: 1 to 128 distinct ports.
pub fn ports(params: &[(String, String)]) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    for (k, v) in params.iter().filter(|(k, _)| k == "ports" || k == "port") {
        for p in v.split(',').filter(|p| !p.is_empty()) {
            let port = p
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("invalid {k} {p:?}: a port is a number from 1 to 65535"))?;
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
    }
    if ports.is_empty() || ports.len() > 128 {
        return Err("port-forward needs from 1 to 128 ports (query parameter ports)".into());
    }
    Ok(ports)
}

fn framed(channel: u8, data: &[u8]) -> Message {
    let mut out = Vec::with_capacity(data.len() + 1);
    out.push(channel);
    out.extend_from_slice(data);
    Message::binary(out)
}

/// What a port's reader reports: bytes from the pod, or that the pod closed the connection.
enum FromPod {
    Data(Message),
    Ended,
}

pub async fn serve(
    ws: Socket,
    destination: Destination,
    ports: Vec<u16>,
    mut stop: watch::Receiver<bool>,
) {
    let (mut sink, mut source) = ws.split();
    let (out_tx, mut out_rx) = mpsc::channel::<FromPod>(64);
    let mut to_pod: Vec<Option<tokio::net::tcp::OwnedWriteHalf>> = Vec::new();
    let mut open = 0usize;
    for (i, &port) in ports.iter().enumerate() {
        let (data, error) = ((2 * i) as u8, (2 * i + 1) as u8);
        let prefix = port.to_le_bytes();
        for channel in [data, error] {
            if sink.send(framed(channel, &prefix)).await.is_err() {
                return;
            }
        }
        match destination.connect(port).await {
            Ok(stream) => {
                let (mut read, write) = stream.into_split();
                to_pod.push(Some(write));
                open += 1;
                let out = out_tx.clone();
                tokio::spawn(async move {
                    let mut buffer = vec![0u8; 32 * 1024];
                    loop {
                        match read.read(&mut buffer).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if out
                                    .send(FromPod::Data(framed(data, &buffer[..n])))
                                    .await
                                    .is_err()
                                {
                                    return;
                                }
                            }
                        }
                    }
                    let _ = out.send(FromPod::Ended).await;
                });
            }
            Err(message) => {
                to_pod.push(None);
                if sink.send(framed(error, message.as_bytes())).await.is_err() {
                    return;
                }
            }
        }
    }
    drop(out_tx);
    if open == 0 {
        let _ = sink.close().await;
        return;
    }
    loop {
        tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    let Some((&channel, data)) = bytes.split_first() else { continue };
                    let writer = to_pod.get_mut(channel as usize / 2).and_then(Option::as_mut);
                    if channel % 2 == 0 && let Some(writer) = writer
                        && writer.write_all(data).await.is_err()
                    {
                        to_pod[channel as usize / 2] = None;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            outgoing = out_rx.recv() => match outgoing {
                // A port's pod side ended: when every port has, the session is over.
                Some(FromPod::Ended) => {
                    open -= 1;
                    if open == 0 {
                        break;
                    }
                }
                Some(FromPod::Data(message)) => {
                    if sink.send(message).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
        }
    }
    let _ = sink.close().await;
}
