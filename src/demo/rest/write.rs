//! Writing: create (POST), update (PUT), patch and delete, with what the apiserver fills in,
//! keeps and refuses.

use std::sync::Arc;

use hyper::StatusCode;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Value, json};

use super::decode::{decode, with_warnings};
use super::json_of;
use crate::demo::Shared;
use crate::demo::http::{
    ApiResponse, bad_request, error, json_response, not_found, param, status_object,
};
use crate::demo::kinds::Kind;
use crate::demo::validate::{self, Cause};
use crate::demo::{ownership, patch};

fn dry_run(params: &[(String, String)]) -> bool {
    params.iter().any(|(k, v)| k == "dryRun" && v == "All")
}

/// Who is writing: the `fieldManager` the client names (kubectl always does).
fn manager(params: &[(String, String)]) -> String {
    param(params, "fieldManager")
        .filter(|m| !m.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

fn owner_key<T: Kind>(ns: &str, name: &str) -> (String, String, String) {
    (
        T::URL_PATH_SEGMENT.to_string(),
        ns.to_string(),
        name.to_string(),
    )
}

pub fn create<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    value: Value,
    params: &[(String, String)],
) -> ApiResponse {
    let sent_value = value.clone();
    let (mut object, warnings) = match decode::<T>(value, params) {
        Ok(decoded) => decoded,
        Err(response) => return response,
    };
    let meta = object.metadata_mut();
    let sent = meta.namespace.as_deref();
    if T::NAMESPACED && sent.is_some_and(|n| !n.is_empty() && n != ns) {
        return bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        );
    }
    meta.namespace = T::NAMESPACED.then(|| ns.to_string());
    if T::NAMESPACED
        && let Err(refusal) = crate::demo::namespaces::admits(shared, ns)
    {
        return refusal;
    }
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
    meta.uid = Some(crate::demo::pods::new_uid());
    meta.creation_timestamp = Some(Time(crate::demo::now()));
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
    let key = owner_key::<T>(ns, &name);
    shared.owners.forget(&key);
    shared.owners.update(key, &manager(params), &sent_value);
    with_warnings(
        json_response(StatusCode::CREATED, &json_of(stored.as_ref())),
        &warnings,
    )
}

/// Five characters from the apiserver's alphabet for `generateName`.
fn generated_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    crate::demo::kubeconfig::random_hex(5)
        .unwrap_or_default()
        .bytes()
        .take(5)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

pub(super) fn replace<T: Kind>(
    shared: &Arc<Shared>,
    ns: &str,
    name: &str,
    value: Value,
    params: &[(String, String)],
) -> ApiResponse {
    let sent = value.clone();
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
    let response = update(shared, old.as_ref(), object, params);
    if response.status().is_success() && !dry_run(params) {
        shared
            .owners
            .update(owner_key::<T>(ns, name), &manager(params), &sent);
    }
    with_warnings(response, &warnings)
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

pub(super) fn patch<T: Kind>(
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
    let key = owner_key::<T>(ns, name);
    let force = param(params, "force") == Some("true");
    let Some(current) = current else {
        // Server-side apply creates what does not exist; the other patches need an object.
        if apply {
            let response = create::<T>(shared, ns, body.clone(), params);
            if response.status().is_success() && !dry_run(params) {
                shared.owners.forget(&key);
                shared
                    .owners
                    .applied(key, &manager(params), &ownership::plain(&body), force);
            }
            return response;
        }
        return not_found(T::URL_PATH_SEGMENT, name);
    };
    let mut live = json_of(current.as_ref());
    // An apply may not take another manager's fields unless forced; what it dropped goes.
    let dropped = if apply {
        match shared.owners.check_apply(
            &key,
            &manager(params),
            &live,
            &ownership::plain(&body),
            force,
        ) {
            Ok(dropped) => dropped,
            Err(conflicts) => return json_response(StatusCode::CONFLICT, &conflicts.status()),
        }
    } else {
        Vec::new()
    };
    let patched = match media {
        "application/merge-patch+json" => {
            patch::merge_patch(&mut live, &body);
            Ok(())
        }
        "application/json-patch+json" => patch::json_patch(&mut live, &body),
        // Server-side apply merges the applied configuration by the same list keys.
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
    // Deepest first, so an item goes once nothing but its key is left.
    for field in dropped.iter().rev() {
        ownership::remove(&mut live, field);
    }
    let (object, warnings) = match decode::<T>(live, params) {
        Ok(decoded) => decoded,
        Err(response) => return response,
    };
    let response = update(shared, current.as_ref(), object, params);
    if response.status().is_success() && !dry_run(params) {
        let who = manager(params);
        if apply {
            shared
                .owners
                .applied(key, &who, &ownership::plain(&body), force);
        } else if media != "application/json-patch+json" {
            shared.owners.update(key, &who, &body);
        }
    }
    with_warnings(response, &warnings)
}

/// Delete at once (pods end gracefully instead: [`crate::demo::writes::delete_pod`]).
pub(super) fn delete<T: Kind>(
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
    if !dry_run(params) {
        shared.owners.forget(&owner_key::<T>(ns, name));
    }
    let details = json!({"name": name, "kind": T::URL_PATH_SEGMENT, "uid": removed.metadata().uid});
    let mut status = status_object(200, "", "", Some(details));
    status["status"] = json!("Success");
    if let Some(fields) = status.as_object_mut() {
        fields.remove("reason");
        fields.remove("message");
    }
    json_response(StatusCode::OK, &status)
}
