//! The demo's exec endpoint frame by frame, as a raw WebSocket client offering only
//! `v4.channel.k8s.io` (kube-rs before 0.99, and the kubelet's own protocol): a pong for a
//! ping, resize and stdin, every output frame before the status, and a close with code 1000.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use podscope::demo::{DemoCluster, DemoOptions};
use serde_json::Value;
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

mod common;

async fn open(
    cluster: &DemoCluster,
    query: &str,
) -> Result<
    (
        impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + SinkExt<Message>
        + Unpin,
        String,
    ),
    String,
> {
    let addr = cluster.url.trim_start_matches("https://");
    let url = format!("wss://{addr}/api/v1/namespaces/default/pods/{query}");
    let mut request = url.into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert(
        "Authorization",
        format!("Bearer {}", cluster.token).parse().unwrap(),
    );
    headers.insert(
        "Sec-WebSocket-Protocol",
        "v4.channel.k8s.io".parse().unwrap(),
    );
    let tls = common::tls::connect(cluster).await;
    let (ws, response) = client_async(request, tls)
        .await
        .map_err(|e| e.to_string())?;
    let protocol = response.headers()["sec-websocket-protocol"]
        .to_str()
        .unwrap()
        .to_string();
    Ok((ws, protocol))
}

async fn wait_running(cluster: &DemoCluster) {
    for _ in 0..100 {
        let body = cluster.pod_json("default", "counter").unwrap_or_default();
        if body["status"]["containerStatuses"]
            .as_array()
            .is_some_and(|s| s.iter().all(|c| c["state"]["running"].is_object()))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("counter never ran");
}

#[tokio::test]
async fn v4_exec_with_tty_ping_resize_status_and_close() {
    let cluster = DemoCluster::start(DemoOptions::default()).await.unwrap();
    wait_running(&cluster).await;
    let (mut ws, protocol) = open(
        &cluster,
        "counter/exec?container=count&command=sh&stdin=true&stdout=true&tty=true",
    )
    .await
    .unwrap();
    assert_eq!(protocol, "v4.channel.k8s.io");
    let _ = ws.send(Message::Ping(b"alive?".to_vec().into())).await;
    let _ = ws
        .send(Message::binary(
            b"\x04{\"Width\":90,\"Height\":20}".to_vec(),
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = ws
        .send(Message::binary(b"\x00stty size; exit 5\r".to_vec()))
        .await;
    let (mut output, mut status, mut pong, mut close) = (String::new(), Value::Null, false, None);
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(10), ws.next()).await
    {
        match message {
            Message::Pong(data) => pong = &data[..] == b"alive?",
            Message::Binary(data) => match data.split_first() {
                Some((1, text)) => {
                    assert!(status.is_null(), "output after the status");
                    output.push_str(&String::from_utf8_lossy(text));
                }
                Some((3, json)) => status = serde_json::from_slice(json).unwrap(),
                _ => {}
            },
            Message::Close(frame) => {
                close = frame.map(|f| f.code);
                break;
            }
            _ => {}
        }
    }
    assert!(pong, "a ping is answered with a pong");
    assert!(
        output.contains("20 90"),
        "the resize reached the terminal: {output:?}"
    );
    assert_eq!(status["reason"], "NonZeroExitCode");
    assert_eq!(status["details"]["causes"][0]["message"], "5");
    assert_eq!(close, Some(CloseCode::Normal));
    drop(ws);
    cluster.stop().await;
}

#[tokio::test]
async fn exec_into_a_container_that_is_not_running_is_refused_before_the_upgrade() {
    let cluster = DemoCluster::start(DemoOptions::default()).await.unwrap();
    let refused = open(
        &cluster,
        "myapp-pod/exec?container=myapp-container&command=sh&stdout=true",
    )
    .await;
    let error = refused
        .err()
        .expect("no upgrade for a container that is not running");
    assert!(error.contains("400"), "{error}");
    let missing = open(&cluster, "counter/exec?container=count&command=sh").await;
    assert!(missing.err().unwrap().contains("400"));
    cluster.stop().await;
}
