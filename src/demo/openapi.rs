//! The OpenAPI v3 documents kubectl reads before `create -f`, `apply` and `edit`
//! (`reference/k8s-writes.md` §2.3): the index at `/openapi/v3`, and the core/v1 document.
//! Finding `fieldValidation` among a kind's PATCH parameters tells kubectl the server
//! validates, so it sends `fieldValidation=Strict` instead of failing with "failed to
//! download openapi". The document is Kubernetes 1.32's own, generated and published under
//! Apache-2.0, trimmed to the kinds the demo serves by `openapi/trim.py` (which names its
//! source and commit). `kubectl explain` reads it too.

use std::sync::OnceLock;

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::json;

use super::http::{ApiResponse, error, full_response, json_response};

const CORE_V1: &str = include_str!("openapi/api-v1.json");

/// The document's version in its URL, as the apiserver's hash is: kubectl caches by URL, so
/// it must change with the document. (FNV-1a over the bytes, where the apiserver uses
/// SHA-512; clients only compare it.)
fn hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let h = CORE_V1.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{h:016X}")
    })
}

/// `GET /openapi/v3`: where each group-version's document is.
pub fn root() -> ApiResponse {
    let url = format!("/openapi/v3/api/v1?hash={}", hash());
    json_response(
        StatusCode::OK,
        &json!({"paths": {"api/v1": {"serverRelativeURL": url}}}),
    )
}

/// `GET /openapi/v3/api/v1`, in JSON (the apiserver also speaks protobuf, which kubectl
/// asks for second).
pub fn core_v1(accept: &str) -> ApiResponse {
    let json_ok = accept.is_empty()
        || accept.split(',').any(|a| {
            matches!(
                a.split(';').next().map(str::trim),
                Some("application/json" | "*/*" | "application/*")
            )
        });
    if !json_ok {
        return error(
            406,
            "NotAcceptable",
            "only the following media types are accepted: application/json",
        );
    }
    full_response(
        StatusCode::OK,
        "application/json",
        Bytes::from_static(CORE_V1.as_bytes()),
    )
}
