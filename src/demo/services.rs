//! The demo's Services: the ones in `manifests/services.yaml` and the user's own (`-f`) at
//! start, and those created through the API later, with the defaults an apiserver fills in
//! (`reference/k8s-writes.md` §8.1): a cluster IP from 10.96.0.0/12, TCP, targetPort = port.
//! They are stored and served like every kind ([`super::rest`]).

use k8s_openapi::api::core::v1::{Service, ServiceStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use super::Shared;
use crate::model::manifest::{ManifestSet, parse_manifests};

const SERVICES: &str = include_str!("manifests/services.yaml");

/// The demo's Services, then the user's, each with a cluster IP from 10.96.0.0/12 as kubeadm
/// allocates them (10.96.0.1 is `kubernetes` on a real cluster; the demo starts at .20).
pub fn demo_services(extra: &ManifestSet, created: Timestamp) -> Vec<Service> {
    let demo = parse_manifests(SERVICES, "services.yaml")
        .unwrap_or_default()
        .services;
    let mut out: Vec<Service> = Vec::new();
    for mut s in demo.into_iter().chain(extra.services.iter().cloned()) {
        let meta = &mut s.metadata;
        meta.namespace.get_or_insert_with(|| "default".to_string());
        if out
            .iter()
            .any(|o| o.metadata.namespace == meta.namespace && o.metadata.name == meta.name)
        {
            continue;
        }
        let n = out.len() + 20;
        meta.uid = Some(format!("5e7c0000-0000-4000-8000-{n:012}"));
        meta.creation_timestamp = Some(Time(created));
        let spec = s.spec.get_or_insert_with(Default::default);
        if spec.cluster_ip.is_none() {
            let ip = address(n);
            spec.cluster_ip = Some(ip.clone());
            spec.cluster_ips = Some(vec![ip]);
        }
        common_defaults(&mut s);
        out.push(s);
    }
    // An apiserver lists in key order: namespace, then name.
    out.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    out
}

/// The n-th address of the service range.
fn address(n: usize) -> String {
    format!("10.96.{}.{}", n / 250, n % 250)
}

fn common_defaults(s: &mut Service) {
    let spec = s.spec.get_or_insert_with(Default::default);
    spec.type_.get_or_insert_with(|| "ClusterIP".to_string());
    spec.session_affinity
        .get_or_insert_with(|| "None".to_string());
    if spec.cluster_ip.as_deref() != Some("None") {
        spec.ip_families
            .get_or_insert_with(|| vec!["IPv4".to_string()]);
        spec.ip_family_policy
            .get_or_insert_with(|| "SingleStack".to_string());
    }
    spec.internal_traffic_policy
        .get_or_insert_with(|| "Cluster".to_string());
    port_defaults(s);
    s.status.get_or_insert_with(|| ServiceStatus {
        load_balancer: Some(Default::default()),
        ..Default::default()
    });
}

/// Each port's protocol is TCP and its targetPort its port, unless said otherwise.
pub fn port_defaults(s: &mut Service) {
    for p in s.spec.iter_mut().flat_map(|s| s.ports.iter_mut().flatten()) {
        p.protocol.get_or_insert_with(|| "TCP".to_string());
        p.target_port.get_or_insert(IntOrString::Int(p.port));
    }
}

/// What the apiserver fills in on a new Service, with the first free cluster IP.
pub fn defaults(s: &mut Service, shared: &Shared) {
    let spec = s.spec.get_or_insert_with(Default::default);
    if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
        let taken: Vec<String> = shared
            .services
            .lock()
            .map(|store| {
                store
                    .list(None)
                    .iter()
                    .filter_map(|s| s.spec.as_ref()?.cluster_ip.clone())
                    .collect()
            })
            .unwrap_or_default();
        let ip = (20..)
            .map(address)
            .find(|ip| !taken.contains(ip))
            .unwrap_or_default();
        spec.cluster_ip = Some(ip.clone());
        spec.cluster_ips = Some(vec![ip]);
    }
    common_defaults(s);
}

/// `kubectl get svc`'s cells between NAME and AGE (TYPE CLUSTER-IP EXTERNAL-IP PORT(S)), then
/// SELECTOR for `-o wide`.
pub fn cells(s: &Service) -> Vec<Value> {
    let spec = s.spec.clone().unwrap_or_default();
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let protocol = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port {
                Some(node) => format!("{}:{node}/{protocol}", p.port),
                None => format!("{}/{protocol}", p.port),
            }
        })
        .collect();
    let selector: Vec<String> = spec
        .selector
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let or_none = |v: Vec<String>, sep: &str| {
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.join(sep)
        }
    };
    vec![
        json!(spec.type_.unwrap_or_else(|| "ClusterIP".into())),
        json!(spec.cluster_ip.unwrap_or_else(|| "None".into())),
        json!("<none>"),
        json!(or_none(ports, ",")),
        json!(or_none(selector, ",")),
    ]
}
