//! `metrics.k8s.io/v1beta1` from the demo's real processes, as metrics-server serves it
//! (`reference/k8s-writes.md` §10): every few seconds the CPU time and resident memory of each
//! running container's process group are read from `/proc`, and a pod's metrics are the rate
//! between the last two readings. `kubectl top pod --containers` prints true numbers.
//! Synthetic pods have no processes, so, as on a real cluster, they have no metrics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::StatusCode;
use k8s_openapi::jiff::Timestamp;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::Shared;
use super::http::{ApiResponse, error, json_response};

/// How often the processes are read (metrics-server scrapes every 15 s by default).
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);

type ContainerKey = (String, String, String);

/// A container's usage over the last window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub nanocores: u64,
    pub memory_bytes: u64,
    pub window: Duration,
    pub at: Timestamp,
}

#[derive(Default)]
pub struct Metrics {
    /// The last reading per process group: when, total CPU time in nanoseconds.
    last: HashMap<u32, (Instant, u64)>,
    usage: HashMap<ContainerKey, Usage>,
}

/// CPU time (ns) and resident bytes of every process group, from `/proc/*/stat`.
fn read_groups() -> HashMap<u32, (u64, u64)> {
    // SAFETY: sysconf has no preconditions.
    let (tick, page) = unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK).max(1) as u64,
            libc::sysconf(libc::_SC_PAGESIZE).max(1) as u64,
        )
    };
    let mut groups: HashMap<u32, (u64, u64)> = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return groups;
    };
    for entry in dir.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name is in parentheses and may hold spaces: fields start after it.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // state(3) ppid(4) pgrp(5) ... utime(14) stime(15) ... rss(24), numbered from 1.
        let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
        let (Some(pgrp), Some(utime), Some(stime), Some(rss)) =
            (field(5), field(14), field(15), field(24))
        else {
            continue;
        };
        let cpu = (utime + stime) * 1_000_000_000 / tick;
        let e = groups.entry(pgrp as u32).or_default();
        e.0 += cpu;
        e.1 += rss * page;
    }
    groups
}

/// Read the processes every [`SAMPLE_EVERY`] until the cluster stops.
pub async fn sample(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(SAMPLE_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let running = shared.runtime.running();
        let groups = tokio::task::spawn_blocking(read_groups)
            .await
            .unwrap_or_default();
        let now = Instant::now();
        let at = super::now();
        let Ok(mut m) = shared.metrics.lock() else {
            return;
        };
        let mut usage = HashMap::new();
        let mut last = HashMap::new();
        for (key, pid) in running {
            let Some(&(cpu, memory)) = groups.get(&pid) else {
                continue;
            };
            if let Some(&(then, before)) = m.last.get(&pid) {
                let window = now.duration_since(then);
                let nanos = window.as_nanos().max(1) as u64;
                usage.insert(
                    key,
                    Usage {
                        nanocores: cpu.saturating_sub(before).saturating_mul(1_000_000_000) / nanos,
                        memory_bytes: memory,
                        window,
                        at,
                    },
                );
            }
            last.insert(pid, (now, cpu));
        }
        m.usage = usage;
        m.last = last;
    }
}

/// memory as metrics-server writes it: `<n>Ki` when divisible by 1024, else bytes.
fn memory_quantity(bytes: u64) -> String {
    if bytes.is_multiple_of(1024) {
        format!("{}Ki", bytes / 1024)
    } else {
        bytes.to_string()
    }
}

fn cpu_quantity(nanocores: u64) -> String {
    if nanocores == 0 {
        "0".to_string()
    } else {
        format!("{nanocores}n")
    }
}

/// The PodMetrics of every pod in scope whose containers all have a reading.
fn pod_metrics(shared: &Shared, namespace: Option<&str>, name: Option<&str>) -> Vec<Value> {
    let Ok(m) = shared.metrics.lock() else {
        return Vec::new();
    };
    let Ok(store) = shared.store.lock() else {
        return Vec::new();
    };
    let now = super::now().to_string();
    let mut out = Vec::new();
    for pod in store.list(namespace) {
        let meta = &pod.metadata;
        let (ns, pod_name) = (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        );
        if name.is_some_and(|n| n != pod_name) {
            continue;
        }
        let containers = pod
            .spec
            .as_ref()
            .map(|s| s.containers.as_slice())
            .unwrap_or_default();
        let usages: Vec<(&str, &Usage)> = containers
            .iter()
            .filter_map(|c| {
                m.usage
                    .get(&(ns.clone(), pod_name.clone(), c.name.clone()))
                    .map(|u| (c.name.as_str(), u))
            })
            .collect();
        // metrics-server lists a pod only when every container has metrics.
        if usages.is_empty() || usages.len() != containers.len() {
            continue;
        }
        let first = usages
            .iter()
            .map(|(_, u)| u.at)
            .min()
            .unwrap_or_else(super::now);
        let window = usages
            .iter()
            .map(|(_, u)| u.window)
            .max()
            .unwrap_or_default();
        out.push(json!({
            "metadata": {"name": pod_name, "namespace": ns, "creationTimestamp": now,
                "labels": meta.labels},
            "timestamp": first.to_string(),
            "window": format!("{:.3}s", window.as_secs_f64()),
            "containers": usages.iter().map(|(c, u)| json!({"name": c,
                "usage": {"cpu": cpu_quantity(u.nanocores), "memory": memory_quantity(u.memory_bytes)}}))
                .collect::<Vec<_>>(),
        }));
    }
    out
}

pub fn pods(shared: &Shared, namespace: Option<&str>) -> ApiResponse {
    json_response(
        StatusCode::OK,
        &json!({"kind": "PodMetricsList", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {},
            "items": pod_metrics(shared, namespace, None)}),
    )
}

pub fn pod(shared: &Shared, namespace: &str, name: &str) -> ApiResponse {
    match pod_metrics(shared, Some(namespace), Some(name)).pop() {
        Some(mut p) => {
            p["kind"] = json!("PodMetrics");
            p["apiVersion"] = json!("metrics.k8s.io/v1beta1");
            json_response(StatusCode::OK, &p)
        }
        None => error(
            404,
            "NotFound",
            &format!("podmetrics.metrics.k8s.io \"{namespace}/{name}\" not found"),
        ),
    }
}

pub fn resource_list() -> Value {
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
        "resources": [{"name": "pods", "singularName": "podmetrics", "namespaced": true,
            "kind": "PodMetrics", "verbs": ["get", "list"]}]})
}

/// The shared state of the sampler.
pub type MetricsState = Mutex<Metrics>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_written_as_metrics_server_writes_them() {
        assert_eq!(cpu_quantity(1_254_721), "1254721n");
        assert_eq!(cpu_quantity(0), "0");
        assert_eq!(memory_quantity(3120 * 1024), "3120Ki");
        assert_eq!(memory_quantity(1000), "1000");
    }

    #[test]
    fn this_process_group_is_read_from_proc() {
        // SAFETY: getpgrp has no preconditions.
        let own = unsafe { libc::getpgrp() } as u32;
        let groups = read_groups();
        let (_, memory) = groups.get(&own).copied().unwrap_or_default();
        assert!(memory > 0, "no resident memory read for our own group");
    }
}
