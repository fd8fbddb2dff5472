//! A pod as YAML for the YAML view: what `kubectl get pod -o yaml` prints, without
//! `managedFields`, and with literal environment values masked unless asked for (a value
//! may be a password). The last-applied annotation repeats those values, so it goes too
//! while they are masked.

use k8s_openapi::api::core::v1 as core;

use super::convert::LAST_APPLIED;

/// What a masked value reads as.
pub const MASK: &str = "(hidden: x shows values)";

/// The pod as YAML; `reveal` keeps the literal env values.
pub fn pod_yaml(pod: &core::Pod, reveal: bool) -> String {
    let mut pod = pod.clone();
    pod.metadata.managed_fields = None;
    if !reveal {
        if let Some(a) = pod.metadata.annotations.as_mut() {
            a.remove(LAST_APPLIED);
        }
        if let Some(spec) = pod.spec.as_mut() {
            let envs = spec
                .containers
                .iter_mut()
                .chain(spec.init_containers.iter_mut().flatten())
                .flat_map(|c| c.env.iter_mut().flatten())
                .chain(
                    spec.ephemeral_containers
                        .iter_mut()
                        .flatten()
                        .flat_map(|c| c.env.iter_mut().flatten()),
                );
            for var in envs {
                if var.value.as_deref().is_some_and(|v| !v.is_empty()) {
                    var.value = Some(MASK.to_string());
                }
            }
        }
    }
    serde_saphyr::to_string(&pod)
        .unwrap_or_else(|e| format!("# cannot show this pod as YAML: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_managed_fields_are_hidden_until_asked() {
        let pod: core::Pod = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "api", "namespace": "shop",
                "annotations": {LAST_APPLIED: "{\"spec\":{\"containers\":[{\"env\":[{\"value\":\"hunter2\"}]}]}}"},
                "managedFields": [{"manager": "kubectl", "operation": "Update"}]},
            "spec": {"containers": [{"name": "api", "image": "example.com/api:1",
                "env": [{"name": "DB_PASSWORD", "value": "hunter2"},
                        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "db", "key": "token"}}}]}]}
        }))
        .unwrap();
        let masked = pod_yaml(&pod, false);
        assert!(!masked.contains("hunter2"), "{masked}");
        assert!(!masked.contains("managedFields"), "{masked}");
        assert!(masked.contains(MASK), "{masked}");
        assert!(masked.contains("secretKeyRef"), "{masked}");
        assert!(masked.contains("kind: Pod"), "{masked}");
        let shown = pod_yaml(&pod, true);
        assert!(shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("managedFields"), "{shown}");
    }
}
