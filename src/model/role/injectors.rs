//! Injector annotations: a mutating webhook that adds containers to a pod says so in the pod's
//! annotations, and the names of the containers it adds are its own. Istio lists them
//! (`sidecar.istio.io/status`); the others mark the pod and fix the names.

use crate::model::pod::Pod;

struct Injector {
    product: &'static str,
    annotation: &'static str,
    /// Values of the annotation that mean "injected"; empty: any value.
    values: &'static [&'static str],
    /// The containers it adds, as it names them.
    containers: &'static [&'static str],
}

const INJECTORS: &[Injector] = &[
    Injector {
        product: "Linkerd",
        annotation: "linkerd.io/proxy-version",
        values: &[],
        containers: &["linkerd-proxy"],
    },
    Injector {
        product: "Vault's agent injector",
        annotation: "vault.hashicorp.com/agent-inject-status",
        values: &["injected", "update"],
        containers: &["vault-agent"],
    },
    Injector {
        product: "Dapr",
        annotation: "dapr.io/enabled",
        values: &["true"],
        containers: &["daprd"],
    },
    Injector {
        product: "Consul",
        annotation: "consul.hashicorp.com/connect-inject-status",
        values: &["injected"],
        containers: &[
            "consul-dataplane",
            "envoy-sidecar",
            "consul-connect-envoy-sidecar",
            "consul-sidecar",
            "consul-connect-lifecycle-sidecar",
        ],
    },
    Injector {
        product: "Kuma",
        annotation: "kuma.io/sidecar-injected",
        values: &["true"],
        containers: &["kuma-sidecar"],
    },
    Injector {
        product: "the Jaeger operator",
        annotation: "sidecar.jaegertracing.io/injected",
        values: &[],
        containers: &["jaeger-agent"],
    },
    Injector {
        product: "the OpenTelemetry operator",
        annotation: "sidecar.opentelemetry.io/inject",
        values: &[],
        containers: &["otc-container"],
    },
    Injector {
        product: "the OpenTelemetry operator",
        annotation: "instrumentation.opentelemetry.io/inject-go",
        values: &[],
        containers: &["opentelemetry-auto-instrumentation"],
    },
    Injector {
        product: "Open Service Mesh",
        annotation: "openservicemesh.io/sidecar-injection",
        values: &["enabled"],
        containers: &["envoy"],
    },
];

const ISTIO_STATUS: &str = "sidecar.istio.io/status";

/// The evidence that an injector added container `name`, if the pod's annotations say so.
pub fn injected_by(pod: &Pod, name: &str) -> Option<String> {
    if let Some(status) = pod.annotations.get(ISTIO_STATUS)
        && istio_injected(status, name)
    {
        return Some(format!(
            "the {ISTIO_STATUS} annotation lists it among the containers Istio injected"
        ));
    }
    INJECTORS
        .iter()
        .find(|i| {
            i.containers.contains(&name)
                && pod.annotations.get(i.annotation).is_some_and(|v| {
                    i.values.is_empty() || i.values.iter().any(|w| v.eq_ignore_ascii_case(w))
                })
        })
        .map(|i| {
            format!(
                "injected by {} (annotation {}), which names its container {name}",
                i.product, i.annotation
            )
        })
}

/// `{"initContainers":["istio-init"],"containers":["istio-proxy"],...}`.
fn istio_injected(status: &str, name: &str) -> bool {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(status) else {
        return false;
    };
    ["containers", "initContainers"].iter().any(|key| {
        value
            .get(key)
            .and_then(|v| v.as_array())
            .is_some_and(|list| list.iter().any(|c| c.as_str() == Some(name)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istio_lists_its_containers() {
        let status = r#"{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy"],"imagePullSecrets":null}"#;
        assert!(istio_injected(status, "istio-proxy"));
        assert!(istio_injected(status, "istio-init"));
        assert!(!istio_injected(status, "productpage"));
        assert!(!istio_injected("not json", "istio-proxy"));
    }
}
