//! Services as role evidence: a Service that selects a pod sends its traffic to the container
//! that declares the `targetPort`, which is how a cluster says which container serves.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod::{Container, Pod, PortRef};

/// What podscope keeps of a Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    /// `spec.selector`; a Service without one selects no pod (its endpoints are managed by
    /// hand).
    pub selector: BTreeMap<String, String>,
    pub ports: Vec<ServicePort>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: i32,
    /// Where the traffic goes in the pod: a number, or the name of a container port.
    pub target: PortRef,
}

impl Service {
    /// Whether this Service sends traffic to `pod` (same namespace, every selector label).
    pub fn selects(&self, pod: &Pod) -> bool {
        !self.selector.is_empty()
            && self.namespace == pod.namespace
            && self
                .selector
                .iter()
                .all(|(k, v)| pod.labels.get(k) == Some(v))
    }

    /// A Service that exists to be scraped (`...-metrics`, ports named `metrics`) says where
    /// the metrics are, not which container is the workload.
    pub fn is_monitoring(&self) -> bool {
        let monitoring = |s: &str| {
            s.split(['-', '_', '.'])
                .any(|w| matches!(w, "metrics" | "monitoring" | "prometheus" | "exporter"))
        };
        monitoring(&self.name)
            || (!self.ports.is_empty()
                && self
                    .ports
                    .iter()
                    .all(|p| p.name.as_deref().is_some_and(monitoring)))
    }

    /// The ports of `c` this Service targets, as (service port, container port).
    pub fn targets<'a>(&'a self, c: &'a Container) -> impl Iterator<Item = (&'a ServicePort, i32)> {
        self.ports.iter().filter_map(move |sp| {
            let port = match &sp.target {
                PortRef::Number(n) => c.ports.iter().find(|p| p.container_port == *n)?,
                PortRef::Name(name) => c.ports.iter().find(|p| p.name.as_ref() == Some(name))?,
            };
            Some((sp, port.container_port))
        })
    }
}

pub fn service_from_api(s: &core::Service) -> Service {
    let spec = s.spec.clone().unwrap_or_default();
    let ports = spec
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| ServicePort {
            name: p.name,
            port: p.port,
            // An absent targetPort is the Service's own port number.
            target: match p.target_port {
                Some(IntOrString::Int(n)) => PortRef::Number(n),
                Some(IntOrString::String(s)) => match s.parse() {
                    Ok(n) => PortRef::Number(n),
                    Err(_) => PortRef::Name(s),
                },
                None => PortRef::Number(p.port),
            },
        })
        .collect();
    Service {
        namespace: s
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        name: s.metadata.name.clone().unwrap_or_default(),
        selector: spec.selector.unwrap_or_default(),
        ports,
    }
}
