//! `GET .../pods/{name}/exec` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`), as
//! `reference/k8s-protocol.md` §6 describes: checks before the upgrade answered with a
//! `Status` (kubectl then retries with SPDY and shows the same error), then a real process in
//! the chosen container's namespaces and root, its output on channels 1 and 2, stdin from
//! channel 0, terminal size from channel 4, the exit status on channel 3, and a close 1000.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::Shared;
use super::exec_io::{self, Session, SessionEvent};
use super::http::{ApiBody, ApiError, ApiResponse, error, not_found, param, query_pairs};
use super::runtime::Instance;

const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// What the client asked for, from the query string.
pub struct ExecRequest {
    pub command: Vec<String>,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
}

pub async fn exec(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
    name: &str,
) -> ApiResponse {
    let params = query_pairs(req.uri().query());
    let (request, instance) = match check(shared, &params, namespace, name) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let websocket = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if req.method() != Method::GET || !websocket {
        // kubectl's SPDY fallback lands here after a failed WebSocket attempt.
        return error(400, "BadRequest", "Upgrade request required");
    }
    let offered = req
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| PROTOCOLS.contains(p))
        .map(str::to_string);
    let (Some(protocol), Some(key)) = (offered, req.headers().get(header::SEC_WEBSOCKET_KEY))
    else {
        return error(
            400,
            "BadRequest",
            "unsupported streaming protocol: offer v5.channel.k8s.io or v4.channel.k8s.io",
        );
    };
    let accept = derive_accept_key(key.as_bytes());
    let shared = shared.clone();
    let v5 = protocol.starts_with("v5");
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        serve(shared, ws, request, instance, v5).await;
    });
    let mut response = Response::new(ApiBody::Full(None));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(
        header::UPGRADE,
        header::HeaderValue::from_static("websocket"),
    );
    headers.insert(
        header::CONNECTION,
        header::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    if let Ok(v) = header::HeaderValue::from_str(&protocol) {
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, v);
    }
    response
}

/// The checks the apiserver makes before upgrading (§6.5), and the running instance.
fn check(
    shared: &Shared,
    params: &[(String, String)],
    namespace: &str,
    name: &str,
) -> Result<(ExecRequest, Arc<Instance>), Box<ApiResponse>> {
    let flag = |k: &str| matches!(param(params, k), Some("true" | "1"));
    let Some(pod) = shared.pod(namespace, name) else {
        return Err(Box::new(not_found("pods", name)));
    };
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_none()
    {
        return Err(bad(format!("pod {name} does not have a host assigned")));
    }
    let container = super::logs::choose_container(&pod, param(params, "container"))
        .map_err(|e| Box::new(e.into_response()))?;
    let (stdin, stdout, stderr, tty) = (flag("stdin"), flag("stdout"), flag("stderr"), flag("tty"));
    if !(stdin || stdout || stderr) {
        return Err(bad(
            "you must specify at least 1 of stdin, stdout, stderr".into()
        ));
    }
    let command: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "command")
        .map(|(_, v)| v.clone())
        .collect();
    if command.is_empty() {
        return Err(bad(
            "you must specify at least one command for the container".into(),
        ));
    }
    let Some(instance) = shared.runtime.instance(namespace, name, &container) else {
        // What a real cluster answers for a container that is not running.
        return Err(bad(format!(
            "unable to upgrade connection: container not found (\"{container}\")"
        )));
    };
    Ok((
        ExecRequest {
            command,
            stdin,
            stdout,
            stderr,
            tty,
        },
        instance,
    ))
}

fn bad(message: String) -> Box<ApiResponse> {
    Box::new(ApiError::bad_request(message).into_response())
}

type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

async fn serve(
    shared: Arc<Shared>,
    mut ws: Socket,
    request: ExecRequest,
    instance: Arc<Instance>,
    v5: bool,
) {
    let runtime = &shared.runtime;
    let mut session = match Session::start(runtime, &instance, &request) {
        Ok(session) => session,
        Err(failure) => {
            // The kubelet reports a command the runtime could not start as an internal error
            // on the status channel (kubectl: `error: Internal error occurred: ...`, exit 1).
            let status = start_failure_status(&failure.message);
            finish(&mut ws, &status).await;
            return;
        }
    };
    runtime.track_group(session.pid, true);
    let lowest = if request.stdout || request.tty {
        1
    } else if request.stderr {
        2
    } else {
        3
    };
    let _ = ws.send(Message::binary(vec![lowest])).await;
    let mut resize = exec_io::ResizeStream::default();
    let mut stop = shared.stop.clone();
    // `exec-cut`: the session's connection is cut after this long, the shell killed.
    let cut = super::control::exec_limit(&shared);
    let cut_at = tokio::time::sleep(cut.unwrap_or(Duration::from_secs(86_400 * 365)));
    tokio::pin!(cut_at);
    let exit_code = loop {
        tokio::select! {
            incoming = ws.next() => match incoming {
                Some(Ok(Message::Binary(data))) => match data.split_first() {
                    Some((0, input)) => session.write_stdin(input).await,
                    Some((4, json)) => {
                        for (cols, rows) in resize.push(json) {
                            session.resize(cols, rows);
                        }
                    }
                    Some((255, [0])) if v5 => session.close_stdin(),
                    _ => {}
                },
                Some(Ok(Message::Ping(_))) => {
                    let _ = ws.flush().await;
                }
                Some(Ok(_)) => {}
                // The client went away (or, on v4, closed to signal the end of stdin).
                Some(Err(_)) | None => {
                    session.close_stdin();
                    if !v5 {
                        break session.wait_briefly(Duration::from_secs(2)).await;
                    }
                    break None;
                }
            },
            event = session.next_event() => match event {
                SessionEvent::Output(channel, data) => {
                    if send(&mut ws, channel, &data).await.is_err() {
                        break None;
                    }
                }
                SessionEvent::Exited(code) => break Some(code),
            },
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break None,
            _ = &mut cut_at, if cut.is_some() => {
                session.kill();
                runtime.track_group(session.pid, false);
                // Dropping the socket without a close frame: the connection is just gone.
                return;
            }
        }
    };
    session.kill();
    runtime.track_group(session.pid, false);
    if let Some(code) = exit_code {
        // All output before the status: kube-rs stops reading at channel 3.
        while let Some((channel, data)) = session.drain_output(Duration::from_millis(200)).await {
            if send(&mut ws, channel, &data).await.is_err() {
                return;
            }
        }
        finish(&mut ws, &exit_status(&request.command, code)).await;
    }
}

async fn send(ws: &mut Socket, channel: u8, data: &[u8]) -> Result<(), ()> {
    let mut frame = Vec::with_capacity(data.len() + 1);
    frame.push(channel);
    frame.extend_from_slice(data);
    ws.send(Message::binary(Bytes::from(frame)))
        .await
        .map_err(|_| ())
}

/// The status on channel 3, then a normal close, then wait for the client's close.
async fn finish(ws: &mut Socket, status: &Value) {
    let body = serde_json::to_vec(status).unwrap_or_default();
    let _ = send(ws, 3, &body).await;
    let close = CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    };
    let _ = ws.send(Message::Close(Some(close))).await;
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// The kubelet's status for an exit code (`reference/k8s-protocol.md` §6.4).
pub fn exit_status(command: &[String], exit_code: i32) -> Value {
    if exit_code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!(
            "command terminated with non-zero exit code: error executing command [{}], exit code {exit_code}",
            command.join(" ")
        ),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": exit_code.to_string()}]},
    })
}

/// The kubelet's `apierrors.NewInternalError` for an exec the runtime could not start.
fn start_failure_status(runtime_message: &str) -> Value {
    let cause = format!("error executing command in container: {runtime_message}");
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("Internal error occurred: {cause}"),
        "reason": "InternalError",
        "details": {"causes": [{"message": cause}]},
        "code": 500,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_statuses_match_the_kubelets() {
        assert_eq!(
            exit_status(&["true".into()], 0),
            json!({"metadata": {}, "status": "Success"})
        );
        let failed = exit_status(&["sh".into(), "-c".into(), "exit 3".into()], 3);
        assert_eq!(
            failed["message"],
            "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3"
        );
        assert_eq!(failed["details"]["causes"][0]["message"], "3");
        assert_eq!(failed["reason"], "NonZeroExitCode");
    }
}
