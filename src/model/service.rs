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

/// The Services of a cluster by namespace, for looking up those that select a pod.
#[derive(Debug, Default, Clone)]
pub struct ServiceIndex {
    by_namespace: BTreeMap<String, BTreeMap<String, Service>>,
}

impl ServiceIndex {
    /// Store `service`; the version it replaces, if any.
    pub fn insert(&mut self, service: Service) -> Option<Service> {
        self.by_namespace
            .entry(service.namespace.clone())
            .or_default()
            .insert(service.name.clone(), service)
    }

    pub fn remove(&mut self, namespace: &str, name: &str) -> Option<Service> {
        let services = self.by_namespace.get_mut(namespace)?;
        let removed = services.remove(name);
        if services.is_empty() {
            self.by_namespace.remove(namespace);
        }
        removed
    }

    /// The Services that send traffic to `pod`.
    pub fn selecting(&self, pod: &Pod) -> Vec<&Service> {
        self.by_namespace
            .get(&pod.namespace)
            .map(|services| services.values().filter(|s| s.selects(pod)).collect())
            .unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Service> {
        self.by_namespace.values().flat_map(BTreeMap::values)
    }

    /// The Services that differ between `self` and `other` (added, removed or changed), in
    /// either version.
    pub fn changed_from<'a>(&'a self, other: &'a ServiceIndex) -> Vec<&'a Service> {
        let lookup = |index: &'a ServiceIndex, s: &Service| {
            index
                .by_namespace
                .get(&s.namespace)
                .and_then(|m| m.get(&s.name))
        };
        let mut out: Vec<&Service> = self
            .iter()
            .filter(|s| lookup(other, s) != Some(*s))
            .collect();
        out.extend(other.iter().filter(|s| lookup(self, s) != Some(*s)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(ns: &str, name: &str, app: &str) -> Service {
        Service {
            namespace: ns.into(),
            name: name.into(),
            selector: BTreeMap::from([("app".to_string(), app.to_string())]),
            ports: vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                target: PortRef::Name("http".into()),
            }],
        }
    }

    #[test]
    fn an_index_finds_the_services_of_a_pod_and_what_changed() {
        let mut old = ServiceIndex::default();
        old.insert(service("shop", "web", "web"));
        old.insert(service("shop", "db", "db"));
        let mut new = old.clone();
        new.insert(service("shop", "web", "storefront"));
        new.remove("shop", "db");
        new.insert(service("other", "web", "web"));
        let changed: Vec<(&str, &str)> = new
            .changed_from(&old)
            .iter()
            .map(|s| (s.namespace.as_str(), s.name.as_str()))
            .collect();
        assert_eq!(changed.len(), 4, "{changed:?}");
        assert!(new.changed_from(&new).is_empty());
        let metrics = Service {
            name: "web-metrics".into(),
            ..service("shop", "x", "web")
        };
        assert!(metrics.is_monitoring());
        assert!(!service("shop", "web", "web").is_monitoring());
    }
}
