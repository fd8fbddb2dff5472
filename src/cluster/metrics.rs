//! Containers' CPU and memory from `metrics.k8s.io/v1beta1`: one list for the whole scope at
//! the metrics API's own pace (it updates every ~15 s), never a request per pod. A cluster
//! without the API (no metrics-server), or a user not allowed to read it, is said once; the
//! API is asked again only every few minutes.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use serde::Deserialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::errors::ApiFailure;
use crate::model::usage::{ContainerUsage, MetricsStatus, UsageMap, bytes, cpu_nanocores};

const REFRESH: Duration = Duration::from_secs(15);
const RETRY_UNAVAILABLE: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Default)]
pub struct MetricsReport {
    pub usage: Arc<UsageMap>,
    pub status: MetricsStatus,
}

pub struct MetricsWatch {
    task: JoinHandle<()>,
    pub reports: watch::Receiver<MetricsReport>,
}

impl Drop for MetricsWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct PodMetricsList {
    items: Vec<PodMetrics>,
}

#[derive(Deserialize)]
struct PodMetrics {
    metadata: Meta,
    containers: Vec<ContainerMetrics>,
}

#[derive(Deserialize)]
struct Meta {
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Deserialize)]
struct ContainerMetrics {
    name: String,
    usage: std::collections::BTreeMap<String, String>,
}

pub fn spawn(client: Client, namespace: Option<String>) -> MetricsWatch {
    let (tx, rx) = watch::channel(MetricsReport::default());
    let task = tokio::spawn(async move {
        let path = match &namespace {
            Some(ns) => format!("/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods"),
            None => "/apis/metrics.k8s.io/v1beta1/pods".to_string(),
        };
        loop {
            let wait = match list(&client, &path).await {
                Ok(usage) => {
                    tx.send_replace(MetricsReport {
                        usage: Arc::new(usage),
                        status: MetricsStatus::Available,
                    });
                    REFRESH
                }
                Err(f) => {
                    let why = if f.not_found() {
                        "no metrics API on this cluster (metrics-server is not installed)"
                            .to_string()
                    } else {
                        f.to_string()
                    };
                    tx.send_replace(MetricsReport {
                        usage: Default::default(),
                        status: MetricsStatus::Unavailable(why),
                    });
                    RETRY_UNAVAILABLE
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
    MetricsWatch { task, reports: rx }
}

async fn list(client: &Client, path: &str) -> Result<UsageMap, ApiFailure> {
    let request = hyper::Request::get(path)
        .body(Vec::new())
        .map_err(|e| ApiFailure {
            code: None,
            reason: String::new(),
            message: e.to_string(),
        })?;
    let list: PodMetricsList = client
        .request(request)
        .await
        .map_err(|e| ApiFailure::from_kube(&e))?;
    let mut usage = UsageMap::new();
    for pod in list.items {
        for c in pod.containers {
            usage.insert(
                (
                    pod.metadata.namespace.clone(),
                    pod.metadata.name.clone(),
                    c.name,
                ),
                ContainerUsage {
                    nanocores: c
                        .usage
                        .get("cpu")
                        .and_then(|q| cpu_nanocores(q))
                        .unwrap_or(0),
                    bytes: c.usage.get("memory").and_then(|q| bytes(q)).unwrap_or(0),
                },
            );
        }
    }
    Ok(usage)
}
