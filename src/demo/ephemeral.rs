//! The `ephemeralcontainers` subresource: how `kubectl debug` and kube-rs add a debug
//! container to a running pod. GET returns the pod; PATCH (strategic merge, JSON merge, JSON
//! patch or apply) and PUT add containers, which the runtime then starts. Existing ephemeral
//! containers cannot be changed or removed, as on a real cluster.

use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, StatusCode, header};
use k8s_openapi::api::core::v1::{ContainerStatus, EphemeralContainer, Pod};
use serde_json::Value;

use super::http::{ApiError, ApiResponse, error, json_response, not_found};
use super::runtime::Runtime;
use super::{Shared, pod_json};

const MAX_BODY: usize = 1 << 20;

pub async fn handle(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    namespace: &str,
    name: &str,
) -> ApiResponse {
    let Some(pod) = shared.pod(namespace, name) else {
        return not_found("pods", name);
    };
    let method = req.method().clone();
    if method == Method::GET {
        return json_response(StatusCode::OK, &pod_json(&pod));
    }
    if method != Method::PATCH && method != Method::PUT {
        return error(
            405,
            "MethodNotAllowed",
            &format!(
                "the server does not allow this method on the requested resource ({method} ephemeralcontainers)"
            ),
        );
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => {
            return error(
                400,
                "BadRequest",
                &format!("cannot read the request body: {e}"),
            );
        }
    };
    let wanted = match requested_containers(&method, &content_type, &body) {
        Ok(list) => list,
        Err(e) => return e.into_response(),
    };
    // PUT and JSON merge patches send the whole list: leaving one out would remove it.
    let whole_list =
        method == Method::PUT || content_type.starts_with("application/merge-patch+json");
    let kept_all = pod
        .spec
        .iter()
        .flat_map(|s| s.ephemeral_containers.iter().flatten())
        .all(|old| wanted.iter().any(|w| w.name == old.name));
    if whole_list && !kept_all {
        return ApiError::invalid(format!(
            "Pod \"{name}\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers may not be removed"
        ))
        .into_response();
    }
    let added = match validate(&pod, wanted) {
        Ok(added) => added,
        Err(e) => return e.into_response(),
    };
    let updated = shared.store.lock().ok().and_then(|mut store| {
        store.update(namespace, name, |p| add(p, &added))?;
        store.get(namespace, name)
    });
    let Some(updated) = updated else {
        return not_found("pods", name);
    };
    for container in &added {
        Runtime::run_ephemeral(
            shared,
            namespace,
            name,
            &container.name,
            shared.stop.clone(),
        );
    }
    json_response(StatusCode::OK, &pod_json(&updated))
}

/// The ephemeral containers the body lists (the whole desired list, or additions).
fn requested_containers(
    method: &Method,
    content_type: &str,
    body: &[u8],
) -> Result<Vec<EphemeralContainer>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .or_else(|_| serde_saphyr::from_slice::<Value>(body).map_err(|e| e.to_string()))
        .map_err(|e| ApiError::bad_request(format!("the request body is not JSON or YAML: {e}")))?;
    let items: Vec<Value> = if *method == Method::PATCH
        && content_type.starts_with("application/json-patch+json")
    {
        value
            .as_array()
            .into_iter()
            .flatten()
            .filter(|op| op["op"] == "add")
            .flat_map(|op| match op["path"].as_str() {
                Some("/spec/ephemeralContainers") => {
                    op["value"].as_array().cloned().unwrap_or_default()
                }
                Some(p) if p.starts_with("/spec/ephemeralContainers/") => vec![op["value"].clone()],
                _ => Vec::new(),
            })
            .collect()
    } else {
        value["spec"]["ephemeralContainers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    items
        .into_iter()
        // Strategic-merge directives such as `$setElementOrder` are not containers.
        .filter(|item| {
            item.as_object()
                .is_some_and(|o| o.keys().any(|k| !k.starts_with('$')))
        })
        .map(|item| {
            serde_json::from_value(item)
                .map_err(|e| ApiError::bad_request(format!("invalid ephemeral container: {e}")))
        })
        .collect()
}

/// The containers that are new, after the API server's checks.
fn validate(
    pod: &Pod,
    wanted: Vec<EphemeralContainer>,
) -> Result<Vec<EphemeralContainer>, ApiError> {
    let spec = pod.spec.clone().unwrap_or_default();
    let existing: Vec<&EphemeralContainer> = spec.ephemeral_containers.iter().flatten().collect();
    let regular: Vec<String> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .map(|c| c.name.clone())
        .collect();
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let invalid =
        |what: String| ApiError::invalid(format!("Pod \"{pod_name}\" is invalid: {what}"));
    let mut added: Vec<EphemeralContainer> = Vec::new();
    for (i, container) in wanted.into_iter().enumerate() {
        let field = format!("spec.ephemeralContainers[{i}]");
        if let Some(old) = existing.iter().find(|e| e.name == container.name) {
            if old.image != container.image || old.command != container.command {
                return Err(invalid(format!(
                    "{field}: Forbidden: existing ephemeral containers \"{}\" may not be changed",
                    container.name
                )));
            }
            continue;
        }
        if container.name.is_empty() {
            return Err(invalid(format!("{field}.name: Required value")));
        }
        if regular.contains(&container.name) || added.iter().any(|a| a.name == container.name) {
            return Err(invalid(format!(
                "{field}.name: Duplicate value: \"{}\"",
                container.name
            )));
        }
        if container.image.as_deref().unwrap_or_default().is_empty() {
            return Err(invalid(format!("{field}.image: Required value")));
        }
        if let Some(target) = container.target_container_name.as_deref()
            && !regular.iter().any(|r| r == target)
        {
            return Err(invalid(format!(
                "{field}.targetContainerName: Not found: \"{target}\""
            )));
        }
        added.push(container);
    }
    Ok(added)
}

fn add(pod: &mut Pod, added: &[EphemeralContainer]) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.ephemeral_containers
        .get_or_insert_with(Vec::new)
        .extend(added.iter().cloned());
    let status = pod.status.get_or_insert_with(Default::default);
    let statuses = status
        .ephemeral_container_statuses
        .get_or_insert_with(Vec::new);
    for c in added {
        statuses.push(ContainerStatus {
            name: c.name.clone(),
            image: c.image.clone().unwrap_or_default(),
            started: Some(false),
            state: Some(k8s_openapi::api::core::v1::ContainerState {
                waiting: Some(k8s_openapi::api::core::v1::ContainerStateWaiting {
                    reason: Some("ContainerCreating".into()),
                    message: None,
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "busybox"}]}
        }))
        .unwrap()
    }

    #[test]
    fn kubectl_debugs_strategic_patch_adds_one_container() {
        let body = br#"{"spec":{"$setElementOrder/ephemeralContainers":[{"name":"debugger-1"}],"ephemeralContainers":[{"name":"debugger-1","image":"busybox","targetContainerName":"app","stdin":true,"tty":true}]}}"#;
        let wanted = requested_containers(
            &Method::PATCH,
            "application/strategic-merge-patch+json",
            body,
        )
        .unwrap();
        let added = validate(&pod(), wanted).unwrap();
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].target_container_name.as_deref(), Some("app"));
    }

    #[test]
    fn json_patch_adds_and_bad_targets_or_names_are_refused() {
        let body = br#"[{"op":"add","path":"/spec/ephemeralContainers/-","value":{"name":"dbg","image":"busybox","targetContainerName":"nope"}}]"#;
        let wanted =
            requested_containers(&Method::PATCH, "application/json-patch+json", body).unwrap();
        let e = validate(&pod(), wanted).unwrap_err();
        assert!(
            e.message
                .contains("targetContainerName: Not found: \"nope\""),
            "{}",
            e.message
        );
        let dup = br#"{"spec":{"ephemeralContainers":[{"name":"app","image":"busybox"}]}}"#;
        let wanted = requested_containers(&Method::PUT, "application/json", dup).unwrap();
        assert!(
            validate(&pod(), wanted)
                .unwrap_err()
                .message
                .contains("Duplicate value")
        );
    }
}
