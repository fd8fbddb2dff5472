//! A watch on a churning demo server, as the TUI runs it (`podscope::cluster::watch`), and
//! the check that it ends with exactly the server's pods once the churn stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use podscope::cluster::{PodWatch, WatchStatus, watch};
use podscope::demo::{DemoCluster, DemoOptions};
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;

/// (namespace, name, uid, restarts of each container): what churn changes, and what the
/// screen shows.
pub type Fingerprint = (String, String, Option<String>, Vec<i32>);

pub fn fingerprint(p: &PodInsight) -> Fingerprint {
    (
        p.pod.namespace.clone(),
        p.pod.name.clone(),
        p.pod.uid.clone(),
        p.pod
            .containers
            .iter()
            .map(|c| c.status.as_ref().map_or(-1, |s| s.restart_count))
            .collect(),
    )
}

/// Restarts across every watched pod: the churn adds one a change.
pub fn restarts(w: &PodWatch) -> i64 {
    w.reports
        .borrow()
        .pods
        .iter()
        .flat_map(|p| p.pod.containers.iter())
        .map(|c| c.status.as_ref().map_or(0, |s| i64::from(s.restart_count)))
        .sum()
}

pub struct Churning {
    pub cluster: DemoCluster,
    pub client: kube::Client,
    pub watch: PodWatch,
}

/// A demo server with `synthetic` pods and `churn` changes a second, and a synced watch on
/// all of them.
pub async fn start(synthetic: usize, churn: u32) -> Churning {
    let cluster = DemoCluster::start(DemoOptions {
        synthetic,
        churn,
        ..Default::default()
    })
    .await
    .unwrap();
    let kubeconfig = kube::config::Kubeconfig::read_from(&cluster.kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(
        kubeconfig,
        &kube::config::KubeConfigOptions::default(),
    )
    .await
    .unwrap();
    let client = kube::Client::try_from(config).unwrap();
    let mut w = watch::spawn(client.clone(), None, Arc::new(Vec::new()));
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(300), async {
        loop {
            w.reports.changed().await.unwrap();
            if w.reports.borrow().status == WatchStatus::Synced {
                break;
            }
        }
    })
    .await
    .expect("the watch syncs");
    eprintln!(
        "{synthetic} pods synced in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Churning {
        cluster,
        client,
        watch: w,
    }
}

/// After the churn has stopped: the server's pods and the watched ones, compared until they
/// agree (the watch publishes at most every 50 ms, and the demo's own pods still change) or
/// 8 s have passed. Returns both, sorted.
pub async fn converge(run: &Churning) -> (Vec<Fingerprint>, Vec<Fingerprint>) {
    let pods = Api::<Pod>::all(run.client.clone());
    let mut server = Vec::new();
    let mut watched = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let listed = pods.list(&ListParams::default()).await.unwrap();
        server = listed
            .items
            .iter()
            .map(|p| fingerprint(&PodInsight::new(pod_from_api(p, None), &[])))
            .collect();
        server.sort();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let report = run.watch.reports.borrow().clone();
        watched = report.pods.iter().map(|p| fingerprint(p)).collect();
        watched.sort();
        if watched == server {
            break;
        }
    }
    (server, watched)
}

/// Assert that the watch ended with exactly the server's pods.
pub fn assert_same(server: &[Fingerprint], watched: &[Fingerprint]) {
    assert_eq!(watched.len(), server.len());
    let differing: Vec<_> = watched
        .iter()
        .zip(server)
        .filter(|(a, b)| a != b)
        .take(3)
        .collect();
    assert!(
        watched == server,
        "the watched pods differ from the server's: {differing:?}"
    );
}

/// `apiserver_terminated_watchers_total` for pods from the demo's `/metrics`: watches it
/// ended because their client fell behind.
pub async fn terminated_watchers(client: &kube::Client) -> u64 {
    let request = hyper::Request::get("/metrics").body(Vec::new()).unwrap();
    let text = client.request_text(request).await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("apiserver_terminated_watchers_total{resource=\"pods\"}"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}
