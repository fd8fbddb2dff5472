//! Server-side `Table` rendering of pods, as `kubectl get pods` asks for it
//! (`reference/k8s-protocol.md` §4.3), with kubectl's own column rules from
//! `model::printing`.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};

use crate::model::convert::pod_from_api;
use crate::model::printing::{age, summarize};

/// How much of each object a row carries (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeObject {
    Metadata,
    Object,
    None,
}

impl IncludeObject {
    pub fn parse(value: Option<&str>) -> IncludeObject {
        match value {
            Some("Object") => IncludeObject::Object,
            Some("None") => IncludeObject::None,
            _ => IncludeObject::Metadata,
        }
    }
}

pub fn column_definitions() -> Value {
    let col = |name: &str, format: &str, priority: u8, description: &str| json!({"name": name, "type": "string", "format": format, "description": description, "priority": priority});
    json!([
        col("Name", "name", 0, "Name must be unique within a namespace."),
        col(
            "Ready",
            "",
            0,
            "The aggregate readiness state of this pod for accepting traffic."
        ),
        col(
            "Status",
            "",
            0,
            "The aggregate status of the containers in this pod."
        ),
        col(
            "Restarts",
            "",
            0,
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."
        ),
        col(
            "Age",
            "",
            0,
            "CreationTimestamp is a timestamp representing the server time when this object was created."
        ),
        col("IP", "", 1, "podIP address allocated to the pod."),
        col(
            "Node",
            "",
            1,
            "NodeName is a request to schedule this pod onto a specific node."
        ),
        col(
            "Nominated Node",
            "",
            1,
            "nominatedNodeName is set when this pod preempts other pods on the node."
        ),
        col(
            "Readiness Gates",
            "",
            1,
            "If specified, all readiness gates will be evaluated for pod readiness."
        ),
    ])
}

pub fn row(pod: &Pod, now: Timestamp, include: IncludeObject) -> Value {
    let model = pod_from_api(pod, None);
    let summary = summarize(&model);
    let none = || "<none>".to_string();
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_ref())
        .filter(|g| !g.is_empty())
        .map(|g| {
            let ok = g
                .iter()
                .filter(|gate| model.condition_true(&gate.condition_type))
                .count();
            format!("{ok}/{}", g.len())
        });
    let cells = json!([
        model.name,
        summary.ready_cell(),
        summary.status,
        summary.restarts_cell(now),
        age(&model, now),
        model.pod_ip.clone().unwrap_or_else(none),
        model.node.clone().unwrap_or_else(none),
        model.nominated_node.clone().unwrap_or_else(none),
        gates.unwrap_or_else(none),
    ]);
    let mut row = json!({"cells": cells});
    match include {
        IncludeObject::Metadata => {
            row["object"] = json!({
                "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                "metadata": serde_json::to_value(&pod.metadata).unwrap_or_default(),
            })
        }
        IncludeObject::Object => row["object"] = super::pod_json(pod),
        IncludeObject::None => {}
    }
    if matches!(
        summary.status.as_str(),
        "Completed" | "Succeeded" | "Failed"
    ) || matches!(
        model.phase,
        Some(crate::model::pod::PodPhase::Succeeded | crate::model::pod::PodPhase::Failed)
    ) {
        let failed = matches!(model.phase, Some(crate::model::pod::PodPhase::Failed));
        row["conditions"] = json!([{
            "type": "Completed", "status": "True",
            "reason": if failed { "Failed" } else { "Succeeded" },
            "message": if failed { "The pod failed." } else { "The pod has completed successfully." },
        }]);
    }
    row
}

/// A Table of `pods`; `headers` false for watch events after the first.
pub fn table(
    pods: &[&Pod],
    resource_version: u64,
    now: Timestamp,
    include: IncludeObject,
    headers: bool,
) -> Value {
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version.to_string()},
        "columnDefinitions": if headers { column_definitions() } else { Value::Null },
        "rows": pods.iter().map(|p| row(p, now, include)).collect::<Vec<_>>(),
    })
}
