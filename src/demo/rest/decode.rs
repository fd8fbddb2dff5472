//! Reading a sent object into its kind, with the field validation the request asks for.

use hyper::header;
use serde_json::Value;

use super::json_of;
use crate::demo::http::{ApiResponse, bad_request, param};
use crate::demo::kinds::Kind;

/// Keys of `sent` that did not survive decoding into the kind: the fields it does not have.
fn unknown_fields(sent: &Value, kept: &Value, at: &str, out: &mut Vec<String>) {
    match (sent, kept) {
        (Value::Object(sent), Value::Object(kept)) => {
            for (k, v) in sent {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match kept.get(k) {
                    None if !v.is_null() => out.push(path),
                    Some(kv) => unknown_fields(v, kv, &path, out),
                    None => {}
                }
            }
        }
        (Value::Array(sent), Value::Array(kept)) => {
            for (i, (s, k)) in sent.iter().zip(kept).enumerate() {
                unknown_fields(s, k, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The sent object decoded into its kind, with the field validation asked for (`Strict`
/// refuses unknown fields; `Warn`, the default, accepts them with a warning each).
// The refusal is the response itself, made once per request; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub(super) fn decode<T: Kind>(
    value: Value,
    params: &[(String, String)],
) -> Result<(T, Vec<String>), ApiResponse> {
    let sent_kind = value.get("kind").and_then(Value::as_str).unwrap_or(T::KIND);
    if sent_kind != T::KIND {
        return Err(bad_request(&format!(
            "the kind of the provided object ({sent_kind}) does not match the resource ({})",
            T::URL_PATH_SEGMENT
        )));
    }
    let sent_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or(T::API_VERSION);
    if sent_version != T::API_VERSION {
        return Err(bad_request(&format!(
            "the API version in the data ({sent_version}) does not match the expected API version ({})",
            T::API_VERSION
        )));
    }
    let object: T = serde_json::from_value(value.clone()).map_err(|e| {
        bad_request(&format!(
            "{kind} in version \"v1\" cannot be handled as a {kind}: {e}",
            kind = T::KIND
        ))
    })?;
    let mut unknown = Vec::new();
    unknown_fields(&value, &json_of(&object), "", &mut unknown);
    let validation = param(params, "fieldValidation").unwrap_or("");
    if validation == "Strict" && !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        return Err(bad_request(&format!(
            "{kind} in version \"v1\" cannot be handled as a {kind}: strict decoding error: {}",
            list.join(", "),
            kind = T::KIND
        )));
    }
    let warnings = if validation == "Ignore" {
        Vec::new()
    } else {
        unknown
            .into_iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect()
    };
    Ok((object, warnings))
}

/// Add one `Warning: 299 - "..."` header per warning, which kubectl prints.
pub(super) fn with_warnings(mut response: ApiResponse, warnings: &[String]) -> ApiResponse {
    for w in warnings {
        let text = format!("299 - {}", serde_json::to_string(w).unwrap_or_default());
        if let Ok(value) = header::HeaderValue::from_str(&text) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
    response
}
