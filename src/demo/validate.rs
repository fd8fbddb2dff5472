//! The 422 `Invalid` Status for the apiserver's validation ([`crate::model::validation`]),
//! whose `details.causes` kubectl prints one per line.

use hyper::StatusCode;
use serde_json::json;

pub use crate::model::validation::{Cause, message, name_causes, pod_causes, pod_update_causes};

use super::http::{ApiResponse, json_response, status_object};

/// The 422 for `causes` about `kind` `name`.
pub fn invalid(kind: &str, name: &str, causes: &[Cause]) -> ApiResponse {
    let message = message(kind, name, causes);
    // A cause's message is its body, without the field.
    let causes: Vec<_> = causes
        .iter()
        .map(|(reason, field, body)| json!({"reason": reason, "message": body, "field": field}))
        .collect();
    let details = json!({"name": name, "kind": kind, "causes": causes});
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &status_object(422, "Invalid", &message, Some(details)),
    )
}
