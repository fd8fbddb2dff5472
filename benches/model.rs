//! How long the pure model takes on a cluster-sized pod set: parsing a `kubectl get pods -A
//! -o json` sized List, converting, and analysing (roles, default container, lints) 10,000
//! pods built from the real-world fixtures. Prints numbers; asserts nothing (budgets are
//! read, not enforced by timing: see DESIGN §7).
//!
//!     cargo bench --bench model

use std::time::Instant;

use k8s_openapi::api::core::v1::Pod as ApiPod;
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;
use podscope::model::manifest::parse_manifests;
use serde_json::{Value, json};

const PODS: usize = 10_000;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut templates: Vec<ApiPod> = Vec::new();
    for dir in ["seeds", "real"] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for pod in parse_manifests(&text, "bench").unwrap().pods {
                // Back to an API pod: the shape a watcher delivers.
                let containers: Vec<Value> = pod
                    .containers
                    .iter()
                    .map(|c| json!({"name": c.name, "image": c.image, "command": c.command, "args": c.args,
                        "ports": c.ports.iter().map(|p| json!({"containerPort": p.container_port})).collect::<Vec<_>>(),
                        "volumeMounts": c.mounts.iter().map(|m| json!({"name": m.volume, "mountPath": m.path, "readOnly": m.read_only})).collect::<Vec<_>>()}))
                    .collect();
                let volumes: Vec<Value> = pod
                    .volumes
                    .iter()
                    .map(|v| json!({"name": v.name, "emptyDir": {}}))
                    .collect();
                templates.push(
                    serde_json::from_value(json!({"metadata": {"name": pod.name, "namespace": pod.namespace, "annotations": pod.annotations},
                        "spec": {"containers": containers, "volumes": volumes}}))
                    .unwrap(),
                );
            }
        }
    }
    let items: Vec<Value> = (0..PODS)
        .map(|i| {
            let mut v = serde_json::to_value(&templates[i % templates.len()]).unwrap();
            v["metadata"]["name"] = json!(format!("pod-{i}"));
            v["metadata"]["namespace"] = json!(format!("ns-{}", i % 50));
            v["kind"] = json!("Pod");
            v["apiVersion"] = json!("v1");
            v
        })
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
    let containers: usize = items
        .iter()
        .map(|i| i["spec"]["containers"].as_array().unwrap().len())
        .sum();
    println!(
        "input: {PODS} pods, {containers} containers, {:.1} MB of JSON",
        list.len() as f64 / 1e6
    );

    let t = Instant::now();
    let set = parse_manifests(&list, "bench").unwrap();
    let parse = t.elapsed();
    println!(
        "parse + convert (manifest path): {:>8.1} ms",
        parse.as_secs_f64() * 1e3
    );

    let api: Vec<ApiPod> = items
        .iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect();
    let t = Instant::now();
    let pods: Vec<_> = api.iter().map(|p| pod_from_api(p, None)).collect();
    let convert = t.elapsed();
    println!(
        "convert API pods:                {:>8.1} ms",
        convert.as_secs_f64() * 1e3
    );

    let t = Instant::now();
    let insights: Vec<PodInsight> = pods.into_iter().map(|p| PodInsight::new(p, &[])).collect();
    let analyse = t.elapsed();
    println!(
        "analyse (roles, default, lints): {:>8.1} ms  ({:.1} µs per pod)",
        analyse.as_secs_f64() * 1e3,
        analyse.as_secs_f64() * 1e6 / PODS as f64
    );
    assert_eq!(insights.len(), set.pods.len());
}
