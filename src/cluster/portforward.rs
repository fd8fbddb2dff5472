//! Port-forwards for the TUI: a listener on 127.0.0.1 (the port asked for, or any free one
//! when it is taken), and for each connection accepted, a port-forward through the API
//! server (kube-rs `Api::portforward`) to the pod's port, bytes copied both ways.

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::Api;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::state::Msg;
use crate::state::forward::ForwardRequest;

/// Listen and forward until the task is aborted; the first message says where it listens.
pub async fn serve(client: Client, request: ForwardRequest, tx: mpsc::Sender<Msg>) {
    let listener = match TcpListener::bind(("127.0.0.1", request.local)).await {
        Ok(l) => Ok(l),
        Err(_) => TcpListener::bind(("127.0.0.1", 0)).await,
    };
    let listener = match listener.and_then(|l| Ok((l.local_addr()?.port(), l))) {
        Ok((port, listener)) => {
            let _ = tx
                .send(Msg::Forwarding {
                    request: request.clone(),
                    result: Ok(port),
                })
                .await;
            listener
        }
        Err(e) => {
            let result = Err(format!("cannot listen on 127.0.0.1: {e}"));
            let _ = tx.send(Msg::Forwarding { request, result }).await;
            return;
        }
    };
    let api: Api<Pod> = Api::namespaced(client, &request.namespace);
    while let Ok((mut local, _)) = listener.accept().await {
        let (api, pod, port) = (api.clone(), request.pod.clone(), request.remote);
        tokio::spawn(async move {
            let Ok(mut forwarder) = api.portforward(&pod, &[port]).await else {
                return;
            };
            if let Some(mut upstream) = forwarder.take_stream(port) {
                let _ = tokio::io::copy_bidirectional(&mut local, &mut upstream).await;
            }
            drop(local);
            let _ = forwarder.join().await;
        });
    }
}
