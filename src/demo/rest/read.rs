//! Reading: get one object, list (paged, selected, or as a Table) or watch a collection.

use std::sync::Arc;

use bytes::Bytes;
use hyper::StatusCode;
use serde_json::{Value, json};

use super::json_of;
use crate::demo::Shared;
use crate::demo::http::{
    ApiResponse, bad_request, error, full_response, json_response, not_found, param, wants_table,
};
use crate::demo::kinds::Kind;
use crate::demo::paging;
use crate::demo::selectors::Selector;
use crate::demo::table::IncludeObject;

pub(super) fn get<T: Kind>(shared: &Shared, ns: &str, name: &str, accept: &str) -> ApiResponse {
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
        return crate::demo::watches::watch::<T>(shared, ns, selector, params, wants_table(accept));
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
    let after = resume.as_ref().map(|r| &r.after);
    let (objects, more) = store.page(ns, after, limit, |o| selector.matches(o));
    let rv = resume.as_ref().map_or(store.resource_version(), |r| r.rv);
    let sent = resume.as_ref().map_or(0, |r| r.sent) + objects.len();
    let in_scope = store.count(ns);
    drop(store);
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if more && let Some(last) = objects.last() {
        let meta = last.metadata();
        let last = (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        );
        metadata["continue"] = json!(paging::continue_token(rv, &last, sent));
        // As the apiserver: an estimate, and unknown (left out) when a selector filters.
        if selector.is_empty() {
            metadata["remainingItemCount"] = json!(in_scope.saturating_sub(sent));
        }
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
