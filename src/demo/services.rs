//! The demo's Services, read-only: the ones in `manifests/services.yaml` and the user's own
//! (`-f`), with the defaults an apiserver fills in (`reference/k8s-writes.md` §8.1), served
//! for get, list (JSON or the Table `kubectl get svc` asks for) and watch. They do not change
//! while the demo runs, so a watch sends its initial events, if asked, and then only
//! bookmarks until its timeout.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use k8s_openapi::api::core::v1::{Service, ServiceStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Shared;
use super::http::{ApiResponse, json_response, not_found, param, stream_response, wants_table};
use crate::model::manifest::{ManifestSet, parse_manifests};
use crate::model::printing::human_duration;

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
        // Written once, before any pod: the first version of the cluster's history.
        meta.resource_version = Some("1".to_string());
        let spec = s.spec.get_or_insert_with(Default::default);
        spec.type_.get_or_insert_with(|| "ClusterIP".to_string());
        if spec.cluster_ip.is_none() {
            let ip = format!("10.96.{}.{}", n / 250, n % 250);
            spec.cluster_ip = Some(ip.clone());
            spec.cluster_ips = Some(vec![ip]);
        }
        spec.session_affinity
            .get_or_insert_with(|| "None".to_string());
        for p in spec.ports.iter_mut().flatten() {
            p.protocol.get_or_insert_with(|| "TCP".to_string());
            p.target_port.get_or_insert(IntOrString::Int(p.port));
        }
        s.status.get_or_insert_with(|| ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        });
        out.push(s);
    }
    // An apiserver lists in key order: namespace, then name.
    out.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    out
}

fn in_scope<'a>(shared: &'a Shared, ns: Option<&'a str>) -> impl Iterator<Item = &'a Service> {
    shared
        .services
        .iter()
        .filter(move |s| ns.is_none_or(|n| s.metadata.namespace.as_deref() == Some(n)))
}

fn service_json(s: &Service) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    v["kind"] = json!("Service");
    v["apiVersion"] = json!("v1");
    v
}

pub fn get(shared: &Shared, ns: &str, name: &str, accept: &str, rv: u64) -> ApiResponse {
    match in_scope(shared, Some(ns)).find(|s| s.metadata.name.as_deref() == Some(name)) {
        Some(s) if wants_table(accept) => json_response(StatusCode::OK, &table(&[s], rv)),
        Some(s) => json_response(StatusCode::OK, &service_json(s)),
        None => not_found("services", name),
    }
}

pub fn list(
    shared: &Arc<Shared>,
    ns: Option<&str>,
    params: &[(String, String)],
    accept: &str,
    rv: u64,
) -> ApiResponse {
    if matches!(param(params, "watch"), Some("true" | "1")) {
        return watch(shared, ns, params, rv);
    }
    let services: Vec<&Service> = in_scope(shared, ns).collect();
    if wants_table(accept) {
        return json_response(StatusCode::OK, &table(&services, rv));
    }
    let items: Vec<Value> = services.iter().map(|s| service_json(s)).collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": "ServiceList", "apiVersion": "v1",
            "metadata": {"resourceVersion": rv.to_string()}, "items": items}),
    )
}

fn watch(
    shared: &Arc<Shared>,
    ns: Option<&str>,
    params: &[(String, String)],
    rv: u64,
) -> ApiResponse {
    let initial = param(params, "sendInitialEvents") == Some("true")
        || matches!(param(params, "resourceVersion"), None | Some("" | "0"));
    let bookmarks = param(params, "allowWatchBookmarks") == Some("true");
    let timeout = param(params, "timeoutSeconds").and_then(|t| t.parse::<u64>().ok());
    let mut lines: Vec<Bytes> = Vec::new();
    if initial {
        lines.extend(
            in_scope(shared, ns)
                .map(|s| line(&json!({"type": "ADDED", "object": service_json(s)}))),
        );
    }
    let bookmark = move || {
        line(
            &json!({"type": "BOOKMARK", "object": {"kind": "Service", "apiVersion": "v1",
            "metadata": {"resourceVersion": rv.to_string(),
                "annotations": {"k8s.io/initial-events-end": "true"}}}}),
        )
    };
    if initial && bookmarks {
        lines.push(bookmark());
    }
    let (tx, rx) = mpsc::channel::<Bytes>(lines.len() + 4);
    let mut stop = shared.stop.clone();
    tokio::spawn(async move {
        for l in lines {
            if tx.send(l).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::sleep(Duration::from_secs(timeout.unwrap_or(u64::MAX / 4)));
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        tick.tick().await;
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                _ = tx.closed() => return,
                _ = stop.wait_for(|s| *s) => return,
                _ = tick.tick(), if bookmarks => {}
            }
            if tx.send(bookmark()).await.is_err() {
                return;
            }
        }
    });
    stream_response("application/json", rx)
}

fn line(v: &Value) -> Bytes {
    let mut bytes = serde_json::to_vec(v).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

/// `kubectl get svc`'s columns: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, and SELECTOR
/// with `-o wide`.
fn table(services: &[&Service], rv: u64) -> Value {
    let col = |name: &str, format: &str, priority: u8| json!({"name": name, "type": "string", "format": format, "description": "", "priority": priority});
    let now = super::now();
    let rows: Vec<Value> = services
        .iter()
        .map(|s| {
            let spec = s.spec.clone().unwrap_or_default();
            let ports: Vec<String> = spec
                .ports
                .iter()
                .flatten()
                .map(|p| match p.node_port {
                    Some(node) => format!("{}:{node}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
                    None => format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")),
                })
                .collect();
            let selector: Vec<String> = spec
                .selector
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let created = s.metadata.creation_timestamp.as_ref().map(|t| t.0);
            let meta = json!({"name": s.metadata.name, "namespace": s.metadata.namespace,
                "uid": s.metadata.uid, "creationTimestamp": created.map(|t| t.to_string())});
            json!({
                "cells": [
                    s.metadata.name.clone().unwrap_or_default(),
                    spec.type_.unwrap_or_else(|| "ClusterIP".into()),
                    spec.cluster_ip.unwrap_or_else(|| "None".into()),
                    "<none>",
                    if ports.is_empty() { "<none>".to_string() } else { ports.join(",") },
                    created
                        .map(|t| human_duration(now.as_second() - t.as_second()))
                        .unwrap_or_else(|| "<unknown>".into()),
                    if selector.is_empty() { "<none>".to_string() } else { selector.join(",") },
                ],
                "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta},
            })
        })
        .collect();
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": [
            col("Name", "name", 0), col("Type", "", 0), col("Cluster-IP", "", 0),
            col("External-IP", "", 0), col("Port(s)", "", 0), col("Age", "", 0),
            col("Selector", "", 1),
        ],
        "rows": rows,
    })
}
