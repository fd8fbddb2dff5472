//! `discovery.k8s.io/v1` EndpointSlices, read-only, one per Service, made from the endpoints
//! controller's Endpoints (`reference/k8s-writes.md` §8.2): what `kubectl describe service`
//! reads for its `Endpoints:` line, selected by the `kubernetes.io/service-name` label.

use std::collections::BTreeMap;

use hyper::StatusCode;
use k8s_openapi::api::core::v1::Endpoints;
use serde_json::{Value, json};

use super::Shared;
use super::http::{ApiResponse, bad_request, error, json_response, param, wants_table};
use super::selectors::Selector;

pub fn resource_list() -> Value {
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "discovery.k8s.io/v1",
        "resources": [{"name": "endpointslices", "singularName": "endpointslice", "namespaced": true,
            "kind": "EndpointSlice", "verbs": ["get", "list"]}]})
}

/// The slice for one Service's Endpoints.
fn slice(e: &Endpoints) -> Value {
    let service = e.metadata.name.clone().unwrap_or_default();
    let uid = e.metadata.uid.clone().unwrap_or_default();
    // A stable suffix, as the controller's generated name is stable once made.
    let suffix: String = uid
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(5)
        .collect();
    let mut endpoints = Vec::new();
    let mut ports = Vec::new();
    for subset in e.subsets.iter().flatten() {
        for (ready, list) in [
            (true, &subset.addresses),
            (false, &subset.not_ready_addresses),
        ] {
            for a in list.iter().flatten() {
                endpoints.push(
                    json!({"addresses": [a.ip], "nodeName": a.node_name, "targetRef": a.target_ref,
                    "conditions": {"ready": ready, "serving": ready, "terminating": false}}),
                );
            }
        }
        for p in subset.ports.iter().flatten() {
            let port = json!({"name": p.name.clone().unwrap_or_default(), "port": p.port, "protocol": p.protocol});
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
    }
    json!({"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": format!("{service}-{suffix}"), "namespace": e.metadata.namespace,
            "uid": uid, "resourceVersion": e.metadata.resource_version,
            "creationTimestamp": e.metadata.creation_timestamp,
            "labels": {"kubernetes.io/service-name": service,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": service,
                "controller": true, "blockOwnerDeletion": true}]},
        "addressType": "IPv4", "endpoints": endpoints, "ports": ports})
}

fn age(created: &Value) -> String {
    let created = created
        .as_str()
        .and_then(|t| t.parse::<k8s_openapi::jiff::Timestamp>().ok());
    created.map_or("<unknown>".into(), |t| {
        crate::model::printing::human_duration(super::now().as_second() - t.as_second())
    })
}

pub fn list(
    shared: &Shared,
    ns: Option<&str>,
    params: &[(String, String)],
    accept: &str,
) -> ApiResponse {
    let selector = match Selector::parse(param(params, "labelSelector"), None, &[]) {
        Ok(s) => s,
        Err(e) => return bad_request(&e),
    };
    let Ok(store) = shared.endpoints.lock() else {
        return error(500, "InternalError", "store unavailable");
    };
    let rv = store.resource_version().to_string();
    let items: Vec<Value> = store
        .list(ns)
        .iter()
        .map(|e| slice(e))
        .filter(|s| {
            let labels: BTreeMap<String, String> =
                serde_json::from_value(s["metadata"]["labels"].clone()).unwrap_or_default();
            selector.matches_labels(&labels)
        })
        .collect();
    if wants_table(accept) {
        let col = |name: &str| json!({"name": name, "type": "string", "format": "", "description": "", "priority": 0});
        let rows: Vec<Value> = items.iter().map(|s| {
            let ports: Vec<String> = s["ports"].as_array().into_iter().flatten().map(|p| p["port"].to_string()).collect();
            let addresses: Vec<String> = s["endpoints"].as_array().into_iter().flatten()
                .filter_map(|e| e["addresses"][0].as_str().map(str::to_string)).collect();
            json!({"cells": [s["metadata"]["name"], "IPv4",
                if ports.is_empty() { "<unset>".to_string() } else { ports.join(",") },
                if addresses.is_empty() { "<unset>".to_string() } else { addresses.join(",") }, age(&s["metadata"]["creationTimestamp"])],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": s["metadata"]}})
        }).collect();
        return json_response(
            StatusCode::OK,
            &json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": rv},
            "columnDefinitions": [col("Name"), col("AddressType"), col("Ports"), col("Endpoints"), col("Age")],
            "rows": rows}),
        );
    }
    json_response(
        StatusCode::OK,
        &json!({"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"resourceVersion": rv}, "items": items}),
    )
}
