//! The apiserver's validation of a new pod, with its own messages (`reference/k8s-writes.md`
//! §1.4): a 422 `Invalid` Status whose `details.causes` kubectl prints one per line.

use hyper::StatusCode;
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;

use super::http::{ApiResponse, json_response, status_object};

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// One field error: (reason, field, body).
type Cause = (&'static str, String, String);

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label)
}

/// The field errors of a pod about to be created; empty when it is valid.
pub fn pod_causes(pod: &Pod) -> Vec<Cause> {
    let mut causes = Vec::new();
    match pod.metadata.name.as_deref() {
        None | Some("") => causes.push((
            "FieldValueRequired",
            "metadata.name".to_string(),
            "Required value: name or generateName is required".to_string(),
        )),
        Some(name) if !is_subdomain(name) => causes.push((
            "FieldValueInvalid",
            "metadata.name".to_string(),
            format!("Invalid value: {name:?}: {SUBDOMAIN}"),
        )),
        _ => {}
    }
    let Some(spec) = &pod.spec else {
        causes.push((
            "FieldValueRequired",
            "spec.containers".to_string(),
            "Required value".to_string(),
        ));
        return causes;
    };
    if spec.containers.is_empty() {
        causes.push((
            "FieldValueRequired",
            "spec.containers".to_string(),
            "Required value".to_string(),
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    let lists = [
        (
            "spec.initContainers",
            spec.init_containers.as_deref().unwrap_or_default(),
        ),
        ("spec.containers", spec.containers.as_slice()),
    ];
    for (list, containers) in lists {
        for (i, c) in containers.iter().enumerate() {
            let at = format!("{list}[{i}]");
            if c.name.is_empty() {
                causes.push((
                    "FieldValueRequired",
                    format!("{at}.name"),
                    "Required value".into(),
                ));
            } else if !is_label(&c.name) {
                causes.push((
                    "FieldValueInvalid",
                    format!("{at}.name"),
                    format!("Invalid value: {:?}: {LABEL}", c.name),
                ));
            } else if seen.contains(&c.name.as_str()) {
                causes.push((
                    "FieldValueDuplicate",
                    format!("{at}.name"),
                    format!("Duplicate value: {:?}", c.name),
                ));
            }
            seen.push(&c.name);
            if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
                causes.push((
                    "FieldValueRequired",
                    format!("{at}.image"),
                    "Required value".into(),
                ));
            }
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref()
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        causes.push((
            "FieldValueNotSupported",
            "spec.restartPolicy".to_string(),
            format!("Unsupported value: {policy:?}: supported values: \"Always\", \"OnFailure\", \"Never\""),
        ));
    }
    causes
}

/// The 422 for `causes` about `kind` `name`.
pub fn invalid(kind: &str, name: &str, causes: &[Cause]) -> ApiResponse {
    let lines: Vec<String> = causes.iter().map(|(_, f, b)| format!("{f}: {b}")).collect();
    let agg = if lines.len() == 1 {
        lines[0].clone()
    } else {
        format!("[{}]", lines.join(", "))
    };
    let message = format!("{kind} {name:?} is invalid: {agg}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_required_fields() {
        assert!(is_subdomain("web.v2-1"));
        assert!(!is_subdomain("Web"));
        assert!(!is_label("a.b"));
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "Web"},
            "spec": {"containers": [{"name": "app"}, {"name": "app", "image": "nginx"}]}}))
        .unwrap();
        let fields: Vec<String> = pod_causes(&pod).into_iter().map(|c| c.1).collect();
        assert_eq!(
            fields,
            [
                "metadata.name",
                "spec.containers[0].image",
                "spec.containers[1].name"
            ]
        );
    }
}
