//! The REST verbs as the apiserver serves them, the same for every kind ([`Kind`]): get, list
//! (paged, selected, or as a Table), watch, create (POST), update (PUT), patch (JSON merge,
//! JSON, strategic merge, server-side apply) and delete. Per-kind code is only validation,
//! defaults and columns, in [`super::kinds`]; pods also run and terminate, which
//! [`super::writes`] adds around these.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode, header};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use super::Shared;
use super::http::{
    ApiError, ApiResponse, bad_request, error, full_response, json_response, not_found, param,
    query_pairs, status_object, wants_table,
};
use super::kinds::Kind;
use super::paging;
use super::patch;
use super::selectors::Selector;
use super::table::IncludeObject;
use super::validate::{self, Cause};

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
        (Method::GET, ns, None) => list::<T>(shared, ns, &params, &accept),
        (Method::GET, Some(ns), Some(name)) => get::<T>(shared, ns, name, &accept),
        (Method::POST, Some(ns), None) => match body(req).await {
            Ok(value) => create::<T>(shared, ns, value, &params),
            Err(e) => e.into_response(),
        },
        (Method::PUT, Some(ns), Some(name)) => match body(req).await {
            Ok(value) => replace::<T>(shared, ns, name, value, &params),
            Err(e) => e.into_response(),
        },
        (Method::PATCH, Some(ns), Some(name)) => {
            let content_type = header_text(&req, header::CONTENT_TYPE);
            match body(req).await {
                Ok(value) => patch::<T>(shared, ns, name, &content_type, value, &params),
                Err(e) => e.into_response(),
            }
        }
        (Method::DELETE, Some(ns), Some(name)) => delete::<T>(shared, ns, name, &params),
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

fn header_text(req: &Request<Incoming>, name: header::HeaderName) -> String {
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

fn json_of<T: Kind>(object: &T) -> Value {
    serde_json::to_value(object).unwrap_or_default()
}

fn get<T: Kind>(shared: &Shared, ns: &str, name: &str, accept: &str) -> ApiResponse {
    let Ok(store) = T::store(shared).lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    match store.get(ns, name) {
        Some(o) if wants_table(accept) => json_response(
            StatusCode::OK,
            &T::table(
                &[o.as_ref()],
                store.resource_version(),
                IncludeObject::Metadata,
                true,
            ),
        ),
        Some(o) => json_response(StatusCode::OK, &json_of(o.as_ref())),
        None => not_found(T::URL_PATH_SEGMENT, name),
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct List<'a, T> {
    kind: String,
    api_version: &'static str,
    metadata: Value,
    items: Vec<&'a T>,
}

pub fn list<T: Kind>(
    shared: &Arc<Shared>,
    ns: Option<&str>,
    params: &[(String, String)],
    accept: &str,
) -> ApiResponse {
    let selector = match Selector::parse(
        param(params, "labelSelector"),
        param(params, "fieldSelector"),
        T::FIELDS,
    ) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    if matches!(param(params, "watch"), Some("true" | "1")) {
        return super::watches::watch::<T>(shared, ns, selector, params, wants_table(accept));
    }
    let resume = match param(params, "continue").filter(|t| !t.is_empty()) {
        Some(token) => match paging::parse_continue(token) {
            Ok(resume) => Some(resume),
            Err(message) => return bad_request(&message),
        },
        None => None,
    };
    let limit = param(params, "limit").and_then(|l| l.parse::<usize>().ok());
    let Ok(store) = T::store(shared).lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    if let Some(resume) = &resume
        && store.watch_from(resume.rv).is_err()
    {
        return error(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.",
        );
    }
    let objects: Vec<_> = store
        .list(ns)
        .into_iter()
        .filter(|o| selector.matches(o.as_ref()))
        .collect();
    let rv = resume.as_ref().map_or(store.resource_version(), |r| r.rv);
    drop(store);
    let key = |o: &Arc<T>| {
        let meta = o.metadata();
        (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        )
    };
    let (objects, more) = paging::page(objects, key, limit, resume.as_ref().map(|r| &r.after));
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if let Some((last, remaining)) = more {
        metadata["continue"] = json!(paging::continue_token(rv, &last));
        metadata["remainingItemCount"] = json!(remaining);
    }
    let refs: Vec<&T> = objects.iter().map(|o| o.as_ref()).collect();
    if wants_table(accept) {
        let include = IncludeObject::parse(param(params, "includeObject"));
        let mut table = T::table(&refs, rv, include, true);
        table["metadata"] = metadata;
        return json_response(StatusCode::OK, &table);
    }
    // Written straight from the objects: through a `Value` first, a page of 500 pods took
    // twice as long.
    let list = List {
        kind: format!("{}List", T::KIND),
        api_version: T::API_VERSION,
        metadata,
        items: refs,
    };
    let mut body = serde_json::to_vec(&list).unwrap_or_default();
    body.push(b'\n');
    full_response(StatusCode::OK, "application/json", Bytes::from(body))
}

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
fn decode<T: Kind>(
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
fn with_warnings(mut response: ApiResponse, warnings: &[String]) -> ApiResponse {
    for w in warnings {
        let text = format!("299 - {}", serde_json::to_string(w).unwrap_or_default());
        if let Ok(value) = header::HeaderValue::from_str(&text) {
            response.headers_mut().append(header::WARNING, value);
        }
    }
    response
}

fn dry_run(params: &[(String, String)]) -> bool {
    params.iter().any(|(k, v)| k == "dryRun" && v == "All")
}

pub fn create<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    value: Value,
    params: &[(String, String)],
) -> ApiResponse {
    let (mut object, warnings) = match decode::<T>(value, params) {
        Ok(decoded) => decoded,
        Err(response) => return response,
    };
    let meta = object.metadata_mut();
    if meta
        .namespace
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != ns)
    {
        return bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        );
    }
    meta.namespace = Some(ns.to_string());
    if meta.name.as_deref().is_none_or(str::is_empty)
        && let Some(prefix) = meta.generate_name.clone()
    {
        meta.name = Some(format!("{prefix}{}", generated_suffix()));
    }
    let name = meta.name.clone().unwrap_or_default();
    let mut causes = validate::name_causes(object.metadata());
    causes.extend(object.validate());
    if !causes.is_empty() {
        return validate::invalid(T::KIND, &name, &causes);
    }
    if T::store(shared)
        .lock()
        .is_ok_and(|s| s.get(ns, &name).is_some())
    {
        let details = json!({"name": name, "kind": T::URL_PATH_SEGMENT});
        let message = format!("{} \"{name}\" already exists", T::URL_PATH_SEGMENT);
        return json_response(
            StatusCode::CONFLICT,
            &status_object(409, "AlreadyExists", &message, Some(details)),
        );
    }
    let meta = object.metadata_mut();
    meta.uid = Some(super::pods::new_uid());
    meta.creation_timestamp = Some(Time(super::now()));
    meta.resource_version = None;
    meta.deletion_timestamp = None;
    meta.managed_fields = None;
    object.prepare_create(shared);
    if dry_run(params) {
        return with_warnings(
            json_response(StatusCode::CREATED, &json_of(&object)),
            &warnings,
        );
    }
    let stored = T::store(shared).lock().ok().and_then(|mut store| {
        store.put(object);
        store.get(ns, &name)
    });
    let Some(stored) = stored else {
        return error(500, "InternalError", "the object was not stored");
    };
    T::created(shared, ns, &name);
    with_warnings(
        json_response(StatusCode::CREATED, &json_of(stored.as_ref())),
        &warnings,
    )
}

/// Five characters from the apiserver's alphabet for `generateName`.
fn generated_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    super::kubeconfig::random_hex(5)
        .unwrap_or_default()
        .bytes()
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

fn replace<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    name: &str,
    value: Value,
    params: &[(String, String)],
) -> ApiResponse {
    let (object, warnings) = match decode::<T>(value, params) {
        Ok(decoded) => decoded,
        Err(response) => return response,
    };
    let sent_name = object.metadata().name.clone().unwrap_or_default();
    if sent_name != name {
        return bad_request(&format!(
            "the name of the object ({sent_name}) does not match the name on the URL ({name})"
        ));
    }
    let Some(old) = T::store(shared).lock().ok().and_then(|s| s.get(ns, name)) else {
        return not_found(T::URL_PATH_SEGMENT, name);
    };
    let sent_rv = object.metadata().resource_version.clone();
    if sent_rv.is_some() && sent_rv != old.metadata().resource_version {
        let message = format!(
            "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            T::URL_PATH_SEGMENT
        );
        let details = json!({"name": name, "kind": T::URL_PATH_SEGMENT});
        return json_response(
            StatusCode::CONFLICT,
            &status_object(409, "Conflict", &message, Some(details)),
        );
    }
    with_warnings(update(shared, old.as_ref(), object, params), &warnings)
}

/// Store `new` in place of `old`: what never changes is kept, the kind's rules applied.
fn update<T: Kind>(
    shared: &Arc<Shared>,
    old: &T,
    mut new: T,
    params: &[(String, String)],
) -> ApiResponse {
    let (was, meta) = (old.metadata(), new.metadata_mut());
    meta.name = was.name.clone();
    meta.namespace = was.namespace.clone();
    meta.uid = was.uid.clone();
    meta.creation_timestamp = was.creation_timestamp.clone();
    meta.deletion_timestamp = was.deletion_timestamp.clone();
    meta.deletion_grace_period_seconds = was.deletion_grace_period_seconds;
    meta.resource_version = was.resource_version.clone();
    meta.managed_fields = None;
    new.prepare_update(old);
    let name = was.name.clone().unwrap_or_default();
    let mut causes: Vec<Cause> = new.validate();
    causes.extend(new.validate_update(old));
    if !causes.is_empty() {
        return validate::invalid(T::KIND, &name, &causes);
    }
    // An update that changes nothing writes nothing, and no watcher hears of it.
    if json_of(&new) == json_of(old) || dry_run(params) {
        return json_response(StatusCode::OK, &json_of(&new));
    }
    let ns = was.namespace.clone().unwrap_or_default();
    let stored = T::store(shared).lock().ok().and_then(|mut store| {
        store.put(new);
        store.get(&ns, &name)
    });
    match stored {
        Some(s) => json_response(StatusCode::OK, &json_of(s.as_ref())),
        None => error(500, "InternalError", "the object was not stored"),
    }
}

const PATCH_TYPES: &str = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";

fn patch<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    name: &str,
    content_type: &str,
    body: Value,
    params: &[(String, String)],
) -> ApiResponse {
    let media = content_type.split(';').next().unwrap_or("").trim();
    let apply = media == "application/apply-patch+yaml";
    if apply && param(params, "fieldManager").is_none_or(str::is_empty) {
        let causes = [(
            "FieldValueRequired",
            "fieldManager".to_string(),
            "Required value: is required for apply patch".to_string(),
        )];
        return validate::invalid("PatchOptions", "", &causes);
    }
    let current = T::store(shared).lock().ok().and_then(|s| s.get(ns, name));
    let Some(current) = current else {
        // Server-side apply creates what does not exist; the other patches need an object.
        if apply {
            return create::<T>(shared, ns, body, params);
        }
        return not_found(T::URL_PATH_SEGMENT, name);
    };
    let mut live = json_of(current.as_ref());
    let patched = match media {
        "application/merge-patch+json" => {
            patch::merge_patch(&mut live, &body);
            Ok(())
        }
        "application/json-patch+json" => patch::json_patch(&mut live, &body),
        // Server-side apply merges the applied configuration by the same list keys. The
        // demo keeps no field ownership, so fields an applier drops are not removed and no
        // conflicts are reported (reference/k8s-writes.md §3).
        "application/strategic-merge-patch+json" | "application/apply-patch+yaml" => {
            patch::strategic_merge(&mut live, &body)
        }
        _ => {
            return error(
                415,
                "UnsupportedMediaType",
                &format!(
                    "the body of the request was in an unknown format - accepted media types include: {PATCH_TYPES}"
                ),
            );
        }
    };
    if patched.is_err() {
        return error(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        );
    }
    let (object, warnings) = match decode::<T>(live, params) {
        Ok(decoded) => decoded,
        Err(response) => return response,
    };
    with_warnings(update(shared, current.as_ref(), object, params), &warnings)
}

/// Delete at once (pods end gracefully instead: [`super::writes::delete_pod`]).
fn delete<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    name: &str,
    params: &[(String, String)],
) -> ApiResponse {
    let removed = if dry_run(params) {
        T::store(shared).lock().ok().and_then(|s| s.get(ns, name))
    } else {
        T::store(shared)
            .lock()
            .ok()
            .and_then(|mut s| s.delete(ns, name))
    };
    let Some(removed) = removed else {
        return not_found(T::URL_PATH_SEGMENT, name);
    };
    let details = json!({"name": name, "kind": T::URL_PATH_SEGMENT, "uid": removed.metadata().uid});
    let mut status = status_object(200, "", "", Some(details));
    status["status"] = json!("Success");
    if let Some(fields) = status.as_object_mut() {
        fields.remove("reason");
        fields.remove("message");
    }
    json_response(StatusCode::OK, &status)
}
