//! The REST verbs as the apiserver serves them, the same for every kind ([`Kind`]): get, list
//! (paged, selected, or as a Table), watch, create (POST), update (PUT), patch (JSON merge,
//! JSON, strategic merge, server-side apply) and delete. Per-kind code is only validation,
//! defaults and columns, in [`super::kinds`]; pods also run and terminate, which
//! [`super::writes`] adds around these.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, header};
use serde_json::Value;

use super::Shared;
use super::http::{ApiError, ApiResponse, error, query_pairs};
use super::kinds::Kind;

mod decode;
mod read;
mod write;

pub use write::create;

const MAX_BODY: usize = 4 << 20;

/// One request on a kind's collection (`name` None) or on one object.
pub struct Target<'a> {
    pub namespace: Option<&'a str>,
    pub name: Option<&'a str>,
}

pub async fn handle<T: Kind>(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    at: Target<'_>,
) -> ApiResponse {
    let params = query_pairs(req.uri().query());
    let accept = header_text(&req, header::ACCEPT);
    match (req.method().clone(), at.namespace, at.name) {
        // A cluster-scoped kind is listed whole (its objects have no namespace).
        (Method::GET, ns, None) => {
            read::list::<T>(shared, ns.filter(|_| T::NAMESPACED), &params, &accept)
        }
        (Method::GET, Some(ns), Some(name)) => read::get::<T>(shared, ns, name, &accept),
        (Method::POST, Some(ns), None) => match body(req).await {
            Ok(value) => create::<T>(shared, ns, value, &params),
            Err(e) => e.into_response(),
        },
        (Method::PUT, Some(ns), Some(name)) => match body(req).await {
            Ok(value) => write::replace::<T>(shared, ns, name, value, &params),
            Err(e) => e.into_response(),
        },
        (Method::PATCH, Some(ns), Some(name)) => {
            let content_type = header_text(&req, header::CONTENT_TYPE);
            match body(req).await {
                Ok(value) => write::patch::<T>(shared, ns, name, &content_type, value, &params),
                Err(e) => e.into_response(),
            }
        }
        (Method::DELETE, Some(ns), Some(name)) => write::delete::<T>(shared, ns, name, &params),
        (method, _, _) => error(
            405,
            "MethodNotAllowed",
            &format!(
                "the server does not allow this method on the requested resource ({method} {})",
                T::URL_PATH_SEGMENT
            ),
        ),
    }
}

pub(super) fn header_text(req: &Request<Incoming>, name: header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The request's JSON, YAML or protobuf body as a value (`null` when there is none).
pub async fn body(req: Request<Incoming>) -> Result<Value, ApiError> {
    let protobuf =
        header_text(&req, header::CONTENT_TYPE).starts_with("application/vnd.kubernetes.protobuf");
    let bytes: Bytes = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|e| ApiError::bad_request(format!("cannot read the request body: {e}")))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    if protobuf {
        return super::protobuf::decode(&bytes).map_err(|e| {
            ApiError::bad_request(format!("the request body is not a protobuf object: {e}"))
        });
    }
    serde_json::from_slice(&bytes)
        .or_else(|_| serde_saphyr::from_slice::<Value>(&bytes).map_err(|e| e.to_string()))
        .map_err(|e| ApiError::bad_request(format!("the request body is not JSON or YAML: {e}")))
}

pub(super) fn json_of<T: Kind>(object: &T) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}
