//! The apiserver's validation, with its own messages (`reference/k8s-writes.md` §1.4 and §5):
//! names, a new pod's fields and what an update of a pod may not change. The demo cluster
//! answers with these (a 422 `Invalid`), and `describe -f` refuses manifests with them, naming
//! the field as the API server would.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// One field error: (reason, field, body).
pub type Cause = (&'static str, String, String);

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

/// The name's errors, for every kind (a DNS-1123 subdomain).
pub fn name_causes(meta: &ObjectMeta) -> Vec<Cause> {
    let mut causes = Vec::new();
    match meta.name.as_deref() {
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
    causes
}

/// The field errors of a pod's spec; empty when it is valid.
pub fn pod_causes(pod: &Pod) -> Vec<Cause> {
    let mut causes = Vec::new();
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
            for (j, port) in c.ports.iter().flatten().enumerate() {
                let p = port.container_port;
                if !(1..=65535).contains(&p) {
                    causes.push((
                        "FieldValueInvalid",
                        format!("{at}.ports[{j}].containerPort"),
                        format!("Invalid value: {p}: must be between 1 and 65535, inclusive"),
                    ));
                }
            }
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

const MUTABLE: &str = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// What changing a pod from `old` to `new` may not do: its spec is fixed but for images, a
/// shorter deadline, added tolerations and a grace period from negative to 1.
pub fn pod_update_causes(old: &Pod, new: &Pod) -> Vec<Cause> {
    let (Some(was), Some(now)) = (old.spec.as_ref(), new.spec.as_ref()) else {
        return Vec::new();
    };
    let mut munged = now.clone();
    for (c, o) in munged.containers.iter_mut().zip(&was.containers) {
        c.image = o.image.clone();
    }
    if let (Some(inits), Some(old_inits)) = (munged.init_containers.as_mut(), &was.init_containers)
    {
        for (c, o) in inits.iter_mut().zip(old_inits) {
            c.image = o.image.clone();
        }
    }
    let shorter = match (was.active_deadline_seconds, now.active_deadline_seconds) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => b <= a,
        _ => false,
    };
    if shorter {
        munged.active_deadline_seconds = was.active_deadline_seconds;
    }
    let old_tolerations = was.tolerations.clone().unwrap_or_default();
    if munged
        .tolerations
        .as_ref()
        .is_some_and(|t| old_tolerations.iter().all(|o| t.contains(o)))
    {
        munged.tolerations = was.tolerations.clone();
    }
    if was.termination_grace_period_seconds.is_some_and(|g| g < 0)
        && now.termination_grace_period_seconds == Some(1)
    {
        munged.termination_grace_period_seconds = was.termination_grace_period_seconds;
    }
    let (before, after) = (
        serde_json::to_value(was).unwrap_or_default(),
        serde_json::to_value(&munged).unwrap_or_default(),
    );
    if before == after {
        return Vec::new();
    }
    let mut diff = Vec::new();
    differences(&before, &after, "", &mut diff);
    let body = format!(
        "Forbidden: {MUTABLE}\n  core.PodSpec{{\n{}\n  }}\n",
        diff.join("\n")
    );
    vec![("FieldValueForbidden", "spec".to_string(), body)]
}

/// `- path: old` / `+ path: new` lines for the leaves that differ, like the apiserver's diff.
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let null = Value::Null;
                differences(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &join(k),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{at}[{i}]"), out);
            }
        }
        _ if a != b => {
            if !a.is_null() {
                out.push(format!("- \t{at}: {a}"));
            }
            if !b.is_null() {
                out.push(format!("+ \t{at}: {b}"));
            }
        }
        _ => {}
    }
}

/// `Pod "web" is invalid: spec.containers: Required value`, as kubectl prints it.
pub fn message(kind: &str, name: &str, causes: &[Cause]) -> String {
    let lines: Vec<String> = causes.iter().map(|(_, f, b)| format!("{f}: {b}")).collect();
    let agg = if lines.len() == 1 {
        lines[0].clone()
    } else {
        format!("[{}]", lines.join(", "))
    };
    format!("{kind} {name:?} is invalid: {agg}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_required_fields() {
        assert!(is_subdomain("web.v2-1"));
        assert!(!is_subdomain("Web"));
        assert!(!is_label("a.b"));
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "Web"},
            "spec": {"containers": [{"name": "app"}, {"name": "app", "image": "nginx"}]}}))
        .unwrap();
        let mut causes = name_causes(&pod.metadata);
        causes.extend(pod_causes(&pod));
        let fields: Vec<String> = causes.into_iter().map(|c| c.1).collect();
        assert_eq!(
            fields,
            [
                "metadata.name",
                "spec.containers[0].image",
                "spec.containers[1].name"
            ]
        );
    }

    #[test]
    fn a_running_pod_may_change_its_image_but_not_its_command() {
        let old: Pod = serde_json::from_value(json!({"metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}))
        .unwrap();
        let mut new = old.clone();
        new.spec.as_mut().unwrap().containers[0].image = Some("nginx:1.27".into());
        assert!(pod_update_causes(&old, &new).is_empty());
        new.spec.as_mut().unwrap().containers[0].command = Some(vec!["sleep".into()]);
        let causes = pod_update_causes(&old, &new);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].1, "spec");
        assert!(causes[0].2.starts_with(
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
        ));
        assert!(
            causes[0]
                .2
                .contains("+ \tcontainers[0].command: [\"sleep\"]"),
            "{}",
            causes[0].2
        );
    }
}
