//! HTTP plumbing for the demo API server: bodies (whole or streamed), `Status` errors, query
//! strings and content negotiation, as `reference/k8s-protocol.md` §2 describes them.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use hyper::{Response, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// A response body: all at once, or chunks from a channel (watches, followed logs).
pub enum ApiBody {
    Full(Option<Bytes>),
    Stream(mpsc::Receiver<Bytes>),
}

impl Body for ApiBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ApiBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ApiBody::Stream(rx) => rx
                .poll_recv(cx)
                .map(|chunk| chunk.map(|d| Ok(Frame::data(d)))),
        }
    }
}

pub type ApiResponse = Response<ApiBody>;

pub fn json_response(status: StatusCode, value: &Value) -> ApiResponse {
    json_with_type(status, value, "application/json")
}

pub fn json_with_type(status: StatusCode, value: &Value, content_type: &str) -> ApiResponse {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    respond(
        status,
        Some(content_type),
        ApiBody::Full(Some(Bytes::from(bytes))),
    )
}

pub fn stream_response(content_type: &str, rx: mpsc::Receiver<Bytes>) -> ApiResponse {
    respond(StatusCode::OK, Some(content_type), ApiBody::Stream(rx))
}

/// A whole body of one content type, e.g. a log.
pub fn full_response(status: StatusCode, content_type: &str, body: Bytes) -> ApiResponse {
    respond(status, Some(content_type), ApiBody::Full(Some(body)))
}

/// A response with no body, e.g. 204, or an empty log.
pub fn empty(status: StatusCode, content_type: Option<&str>) -> ApiResponse {
    respond(status, content_type, ApiBody::Full(None))
}

fn respond(status: StatusCode, content_type: Option<&str>, body: ApiBody) -> ApiResponse {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    if let Some(value) = content_type.and_then(|c| header::HeaderValue::from_str(c).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// A `metav1.Status` failure object.
pub fn status_object(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut v = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code,
    });
    if let Some(d) = details {
        v["details"] = d;
    }
    v
}

/// An API failure before it becomes a response: small enough to pass around in `Result`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn bad_request(message: String) -> ApiError {
        ApiError {
            code: 400,
            reason: "BadRequest",
            message,
        }
    }

    pub fn invalid(message: String) -> ApiError {
        ApiError {
            code: 422,
            reason: "Invalid",
            message,
        }
    }

    pub fn into_response(self) -> ApiResponse {
        error(self.code, self.reason, &self.message)
    }
}

/// Every non-2xx answer is a `Status`.
pub fn error(code: u16, reason: &str, message: &str) -> ApiResponse {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &status_object(code, reason, message, None))
}

pub fn not_found(kind: &str, name: &str) -> ApiResponse {
    let details = json!({"name": name, "kind": kind});
    json_response(
        StatusCode::NOT_FOUND,
        &status_object(
            404,
            "NotFound",
            &format!("{kind} \"{name}\" not found"),
            Some(details),
        ),
    )
}

pub fn bad_request(message: &str) -> ApiResponse {
    error(400, "BadRequest", message)
}

/// Query parameters in order; tolerates `?&a=b` and a bare `?` (kube-rs sends both).
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether the client asked for a server-side `Table` (kubectl get).
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}
