//! `--synthetic N`: many pods with a realistic mix of multi-container patterns, for
//! benchmarks and scale tests. Their containers are simulated: nothing runs, and their status
//! says what the simulation decided (running, ready, crash-looping). `--churn R` changes R
//! pod statuses per second so watchers see a steady stream of MODIFIED events.

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, EmptyDirVolumeSource, Pod, PodCondition, PodSpec,
    PodStatus, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;

use super::pods::NODE;

/// One synthetic container: name, image, port, whether it is a native sidecar or init.
struct Spec {
    name: &'static str,
    image: &'static str,
    port: Option<i32>,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Regular,
    Init,
    NativeSidecar,
}

const fn c(name: &'static str, image: &'static str, port: Option<i32>, kind: Kind) -> Spec {
    Spec {
        name,
        image,
        port,
        kind,
    }
}

/// The patterns, each a list of containers; `crash` marks a pattern whose app crash-loops.
const PATTERNS: &[(&str, &[Spec], bool)] = &[
    (
        "web",
        &[
            c("web", "nginx:1.27", Some(80), Kind::Regular),
            c("log-shipper", "fluent/fluent-bit:3.0", None, Kind::Regular),
        ],
        false,
    ),
    (
        "api",
        &[
            c("api", "ghcr.io/example/api:2.1", Some(8080), Kind::Regular),
            c(
                "metrics",
                "nginx/nginx-prometheus-exporter:1.1.0",
                Some(9113),
                Kind::Regular,
            ),
        ],
        false,
    ),
    (
        "orders",
        &[
            c(
                "orders",
                "ghcr.io/example/orders:3.0",
                Some(8080),
                Kind::Regular,
            ),
            c(
                "cloud-sql-proxy",
                "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0",
                Some(5432),
                Kind::Regular,
            ),
        ],
        false,
    ),
    (
        "mesh",
        &[
            c(
                "istio-init",
                "docker.io/istio/proxyv2:1.22.0",
                None,
                Kind::Init,
            ),
            c(
                "istio-proxy",
                "docker.io/istio/proxyv2:1.22.0",
                Some(15090),
                Kind::NativeSidecar,
            ),
            c("app", "ghcr.io/example/app:1.0", Some(9080), Kind::Regular),
        ],
        false,
    ),
    (
        "worker",
        &[
            c("migrate", "ghcr.io/example/migrate:1.0", None, Kind::Init),
            c("worker", "ghcr.io/example/worker:1.0", None, Kind::Regular),
        ],
        false,
    ),
    (
        "crashy",
        &[c("app", "busybox:1.36", None, Kind::Regular)],
        true,
    ),
    (
        "secure",
        &[
            c("app", "ghcr.io/example/app:1.0", Some(8080), Kind::Regular),
            c("vault-agent", "hashicorp/vault:1.15.2", None, Kind::Regular),
        ],
        false,
    ),
];

/// `n` pods spread over up to 50 namespaces, created at `now`.
pub fn synthetic_pods(n: usize, now: Timestamp) -> Vec<Pod> {
    let namespaces = (n / 200).clamp(1, 50);
    (0..n)
        .map(|i| {
            let (prefix, specs, crash) = &PATTERNS[i % PATTERNS.len()];
            build(
                format!("{prefix}-{i:05}"),
                format!("synthetic-{:02}", i % namespaces),
                specs,
                *crash,
                i,
                now,
            )
        })
        .collect()
}

fn build(
    name: String,
    namespace: String,
    specs: &[Spec],
    crash: bool,
    i: usize,
    now: Timestamp,
) -> Pod {
    let mount = VolumeMount {
        name: "shared".into(),
        mount_path: "/shared".into(),
        ..Default::default()
    };
    let container = |s: &Spec| Container {
        name: s.name.into(),
        image: Some(s.image.into()),
        ports: s.port.map(|p| {
            vec![ContainerPort {
                container_port: p,
                ..Default::default()
            }]
        }),
        restart_policy: (s.kind == Kind::NativeSidecar).then(|| "Always".to_string()),
        volume_mounts: Some(vec![mount.clone()]),
        ..Default::default()
    };
    let init: Vec<Container> = specs
        .iter()
        .filter(|s| s.kind != Kind::Regular)
        .map(container)
        .collect();
    let regular: Vec<Container> = specs
        .iter()
        .filter(|s| s.kind == Kind::Regular)
        .map(container)
        .collect();
    let created = Timestamp::from_second(now.as_second() - 60 - (i as i64 % 86_400)).unwrap_or(now);
    let status = |s: &Spec| -> ContainerStatus {
        let base = ContainerStatus {
            name: s.name.into(),
            image: s.image.into(),
            image_id: String::new(),
            container_id: Some(format!("containerd://{:064x}", i * 31 + s.name.len())),
            ..Default::default()
        };
        match s.kind {
            Kind::Init => ContainerStatus {
                state: Some(terminated(0, "Completed", created)),
                ..base
            },
            _ if crash => ContainerStatus {
                restart_count: 1 + (i % 9) as i32,
                state: Some(ContainerState {
                    waiting: Some(ContainerStateWaiting {
                        reason: Some("CrashLoopBackOff".into()),
                        message: Some(format!(
                            "back-off 5m0s restarting failed container={}",
                            s.name
                        )),
                    }),
                    ..Default::default()
                }),
                last_state: Some(terminated(1, "Error", now)),
                ..base
            },
            _ => ContainerStatus {
                ready: true,
                started: Some(true),
                state: Some(ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(Time(created)),
                    }),
                    ..Default::default()
                }),
                ..base
            },
        }
    };
    let condition = |kind: &str, ok: bool| PodCondition {
        type_: kind.into(),
        status: if ok { "True" } else { "False" }.into(),
        ..Default::default()
    };
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace),
            uid: Some(format!("00000000-0000-4000-8000-{i:012}")),
            creation_timestamp: Some(Time(created)),
            labels: Some(
                [(
                    "app".to_string(),
                    specs
                        .iter()
                        .find(|s| s.kind == Kind::Regular)
                        .map_or("app", |s| s.name)
                        .to_string(),
                )]
                .into(),
            ),
            ..Default::default()
        },
        spec: Some(PodSpec {
            init_containers: (!init.is_empty()).then_some(init),
            containers: regular,
            node_name: Some(NODE.into()),
            restart_policy: Some("Always".into()),
            volumes: Some(vec![Volume {
                name: "shared".into(),
                empty_dir: Some(EmptyDirVolumeSource::default()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![
                condition("Initialized", true),
                condition("Ready", !crash),
                condition("PodScheduled", true),
            ]),
            pod_ip: Some(format!(
                "10.{}.{}.{}",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            )),
            init_container_statuses: {
                let v: Vec<ContainerStatus> = specs
                    .iter()
                    .filter(|s| s.kind != Kind::Regular)
                    .map(status)
                    .collect();
                (!v.is_empty()).then_some(v)
            },
            container_statuses: Some(
                specs
                    .iter()
                    .filter(|s| s.kind == Kind::Regular)
                    .map(status)
                    .collect(),
            ),
            start_time: Some(Time(created)),
            ..Default::default()
        }),
    }
}

fn terminated(code: i32, reason: &str, at: Timestamp) -> ContainerState {
    ContainerState {
        terminated: Some(ContainerStateTerminated {
            exit_code: code,
            reason: Some(reason.into()),
            finished_at: Some(Time(at)),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// One churn step on a synthetic pod: its first container restarts (simulated), so its
/// restart count, last state and start time change.
pub fn churn(pod: &mut Pod, now: Timestamp) {
    let Some(status) = pod.status.as_mut() else {
        return;
    };
    let Some(cs) = status
        .container_statuses
        .as_mut()
        .and_then(|l| l.first_mut())
    else {
        return;
    };
    cs.restart_count += 1;
    cs.last_state = Some(terminated(1, "Error", now));
    if cs.state.as_ref().is_some_and(|s| s.running.is_some()) {
        cs.state = Some(ContainerState {
            running: Some(ContainerStateRunning {
                started_at: Some(Time(now)),
            }),
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::convert::pod_from_api;
    use crate::model::printing::summarize;

    #[test]
    fn synthetic_pods_read_like_real_ones() {
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let pods = synthetic_pods(14, now);
        assert_eq!(pods.len(), 14);
        let rows: Vec<(String, String)> = pods
            .iter()
            .map(|p| {
                let s = summarize(&pod_from_api(p, None));
                (s.ready_cell(), s.status)
            })
            .collect();
        assert_eq!(rows[0], ("2/2".to_string(), "Running".to_string()));
        assert_eq!(
            rows[3],
            ("2/2".to_string(), "Running".to_string()),
            "mesh: native sidecar counted"
        );
        assert_eq!(rows[5], ("0/1".to_string(), "CrashLoopBackOff".to_string()));
        let mut p = pods[0].clone();
        churn(&mut p, now);
        assert_eq!(summarize(&pod_from_api(&p, None)).restarts, 1);
    }
}
