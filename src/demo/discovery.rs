//! What the demo cluster says about itself: its version and the API discovery documents
//! kubectl and kube-rs read before anything else (`reference/k8s-protocol.md`).

use hyper::StatusCode;
use serde_json::{Value, json};

use super::http::{ApiResponse, json_response, json_with_type};

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

pub fn version() -> Value {
    json!({
        "major": "1", "minor": "32", "gitVersion": "v1.32.4-podscope-demo",
        "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
        "buildDate": "2026-11-21T00:00:00Z", "goVersion": "go1.23.8", "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// (resource, singular, kind, namespaced, short names)
type ResourceInfo = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);

const RESOURCES: &[ResourceInfo] = &[
    ("pods", "pod", "Pod", true, &["po"]),
    ("events", "event", "Event", true, &["ev"]),
    ("namespaces", "namespace", "Namespace", false, &["ns"]),
    ("services", "service", "Service", true, &["svc"]),
    ("configmaps", "configmap", "ConfigMap", true, &["cm"]),
    ("secrets", "secret", "Secret", true, &[]),
    ("endpoints", "endpoints", "Endpoints", true, &["ep"]),
];

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

pub fn discovery_core(accept: &str, address: &str) -> ApiResponse {
    if !accept.contains("apidiscovery.k8s.io") {
        let v = json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}]});
        return json_response(StatusCode::OK, &v);
    }
    let sub = |name: &str, kind: &str, verbs: &[&str]| json!({"subresource": name, "responseKind": {"group": "", "version": "v1", "kind": kind}, "verbs": verbs});
    let items: Vec<Value> = RESOURCES
        .iter()
        .map(|&(name, singular, kind, namespaced, short)| {
            let mut r = json!({
                "resource": name, "responseKind": {"group": "", "version": "v1", "kind": kind},
                "scope": if namespaced { "Namespaced" } else { "Cluster" }, "singularResource": singular,
                "verbs": VERBS, "shortNames": short,
            });
            if name == "services" {
                r["categories"] = json!(["all"]);
            }
            if name == "pods" {
                r["categories"] = json!(["all"]);
                r["subresources"] = json!([
                    sub("exec", "PodExecOptions", &["create", "get"]),
                    sub("log", "Pod", &["get"]),
                    sub("ephemeralcontainers", "Pod", &["get", "patch", "update"]),
                    sub("status", "Pod", &["get", "patch", "update"]),
                ]);
            }
            r
        })
        .collect();
    let v = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
        "items": [{"metadata": {"creationTimestamp": null}, "versions": [{"version": "v1", "freshness": "Current", "resources": items}]}]});
    json_with_type(StatusCode::OK, &v, AGGREGATED)
}

/// The API groups besides the core one: `discovery.k8s.io` (EndpointSlices, see
/// `slices.rs`) and `metrics.k8s.io`, which the demo serves from its processes (`metrics.rs`).
pub fn discovery_groups(accept: &str) -> ApiResponse {
    if accept.contains("apidiscovery.k8s.io") {
        let metrics = json!({"metadata": {"name": "metrics.k8s.io", "creationTimestamp": null},
            "versions": [{"version": "v1beta1", "freshness": "Current", "resources": [
                {"resource": "pods", "responseKind": {"group": "metrics.k8s.io", "version": "v1beta1", "kind": "PodMetrics"},
                 "scope": "Namespaced", "singularResource": "podmetrics", "verbs": ["get", "list"]}]}]});
        let slices = json!({"metadata": {"name": "discovery.k8s.io", "creationTimestamp": null},
            "versions": [{"version": "v1", "freshness": "Current", "resources": [
                {"resource": "endpointslices", "responseKind": {"group": "discovery.k8s.io", "version": "v1", "kind": "EndpointSlice"},
                 "scope": "Namespaced", "singularResource": "endpointslice", "verbs": ["get", "list"]}]}]});
        let v = json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": [slices, metrics]});
        json_with_type(StatusCode::OK, &v, AGGREGATED)
    } else {
        let version = json!({"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"});
        let slices = json!({"groupVersion": "discovery.k8s.io/v1", "version": "v1"});
        json_response(
            StatusCode::OK,
            &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": "discovery.k8s.io", "versions": [slices], "preferredVersion": slices},
                {"name": "metrics.k8s.io", "versions": [version], "preferredVersion": version}]}),
        )
    }
}

pub fn resource_list() -> Value {
    let mut list: Vec<Value> = RESOURCES
        .iter()
        .map(|&(name, singular, kind, namespaced, short)| {
            json!({"name": name, "singularName": singular, "namespaced": namespaced, "kind": kind, "verbs": VERBS, "shortNames": short})
        })
        .collect();
    for (name, kind, verbs) in [
        ("pods/exec", "PodExecOptions", &["create", "get"][..]),
        ("pods/log", "Pod", &["get"][..]),
        (
            "pods/ephemeralcontainers",
            "Pod",
            &["get", "patch", "update"][..],
        ),
        ("pods/status", "Pod", &["get", "patch", "update"][..]),
    ] {
        list.push(json!({"name": name, "singularName": "", "namespaced": true, "kind": kind, "verbs": verbs}));
    }
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": list})
}
