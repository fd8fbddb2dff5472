//! Recovery from the demo cluster's faults (`src/demo/faults.rs`): after each one, the pods a
//! watch shows equal the server's list exactly (no duplicates, no ghosts, a recreated pod
//! with its new UID), and the status says what is going on. The restart test stops the
//! cluster and starts it again from its `--state-dir`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use podscope::cluster::{PodWatch, WatchStatus, watch};
use podscope::demo::faults::FaultSet;
use podscope::demo::{DemoCluster, DemoOptions};
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;

/// One cluster at a time: each runs the demo's pods.
static SERIAL: Mutex<()> = Mutex::new(());

type Print = (String, String, Option<String>);

fn fingerprint(p: &PodInsight) -> Print {
    (
        p.pod.namespace.clone(),
        p.pod.name.clone(),
        p.pod.uid.clone(),
    )
}

fn run(test: impl std::future::Future<Output = ()>) {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    common::block_on(test);
}

/// A client as podscope makes one (its retry policy included).
async fn client_of(cluster: &DemoCluster) -> kube::Client {
    let target = podscope::cluster::Target {
        kubeconfig: Some(cluster.kubeconfig.clone()),
        context: None,
    };
    podscope::cluster::connect(&target).await.unwrap().client
}

async fn wait_status(w: &mut PodWatch, what: &str, ok: impl Fn(&WatchStatus) -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let status = w.reports.borrow().status.clone();
            if ok(&status) {
                return;
            }
            w.reports.changed().await.unwrap();
        }
    })
    .await;
    assert!(
        waited.is_ok(),
        "{what}: the status stayed {:?}",
        w.reports.borrow().status
    );
}

/// Wait until the watched pods are exactly the server's (the demo's own pods change on
/// their own, so compare again until they agree), and return them.
async fn converged(w: &PodWatch, client: &kube::Client, after: &str) -> Vec<Print> {
    let pods = Api::<Pod>::all(client.clone());
    let (mut server, mut watched) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        server = pods
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .iter()
            .map(|p| fingerprint(&PodInsight::new(pod_from_api(p, None), &[])))
            .collect();
        server.sort();
        let report = w.reports.borrow().clone();
        watched = report.pods.iter().map(|p| fingerprint(p)).collect();
        watched.sort();
        if watched == server {
            return watched;
        }
    }
    let ghosts: Vec<_> = watched
        .iter()
        .filter(|p| !server.contains(p))
        .take(3)
        .collect();
    let missing: Vec<_> = server
        .iter()
        .filter(|p| !watched.contains(p))
        .take(3)
        .collect();
    panic!(
        "after {after}: the watch shows {} pods, the server {}; shown but gone: {ghosts:?}; missing: {missing:?}",
        watched.len(),
        server.len()
    );
}

async fn control(client: &kube::Client, path: &str) -> String {
    let request = hyper::Request::post(path).body(Vec::new()).unwrap();
    client.request_text(request).await.unwrap()
}

#[test]
fn after_every_fault_the_watch_shows_exactly_the_servers_pods() {
    run(async {
        let cluster = DemoCluster::start(DemoOptions {
            synthetic: 300,
            ..Default::default()
        })
        .await
        .unwrap();
        let client = client_of(&cluster).await;
        let mut w = watch::spawn(client.clone(), None, Arc::new(Vec::new()));
        wait_status(&mut w, "first sync", |s| *s == WatchStatus::Synced).await;
        converged(&w, &client, "the first sync").await;

        // Every watch connection dropped, then many pods added and removed at once.
        cluster.drop_watches();
        control(&client, "/podscope/burst?add=400&remove=120").await;
        let after = converged(&w, &client, "dropped watches and a burst").await;
        assert_eq!(after.iter().filter(|p| p.0 == "burst").count(), 280);

        // The watch's history gone: 410 Expired, a new list.
        cluster.set_faults(FaultSet::parse("watch-expired").unwrap());
        cluster.drop_watches();
        control(&client, "/podscope/burst?remove=100").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        cluster.set_faults(FaultSet::default());
        converged(&w, &client, "410 Expired").await;

        // A pod deleted and created again under its name, while watched: the new UID.
        let before = cluster.pod_json("default", "counter").unwrap()["metadata"]["uid"].clone();
        control(&client, "/podscope/recreate/default/counter").await;
        let after = converged(&w, &client, "a recreated pod").await;
        let counter = after.iter().find(|p| p.1 == "counter").unwrap();
        assert_ne!(
            counter.2.as_deref(),
            before.as_str(),
            "the new UID is shown"
        );
        assert_eq!(after.iter().filter(|p| p.1 == "counter").count(), 1);

        // The server unavailable for a while, and pods changing meanwhile: the status says
        // stale since when, then the watch catches up on its own.
        cluster.set_faults(FaultSet::parse("503").unwrap());
        cluster.drop_watches();
        wait_status(&mut w, "503", |s| {
            matches!(s, WatchStatus::Reconnecting { reason, .. } if reason.contains("unable to handle"))
        })
        .await;
        let WatchStatus::Reconnecting { since, .. } = w.reports.borrow().status.clone() else {
            unreachable!()
        };
        assert!(since <= k8s_openapi::jiff::Timestamp::now());
        control(&client, "/podscope/burst?add=50").await;
        cluster.set_faults(FaultSet::default());
        wait_status(&mut w, "recovery", |s| *s == WatchStatus::Synced).await;
        converged(&w, &client, "503 for a while").await;

        // 429 with Retry-After: the client waits what the server asks, then succeeds.
        cluster.set_faults(FaultSet::parse("429,retry-after=1,for=1500ms").unwrap());
        let began = std::time::Instant::now();
        let listed = Api::<Pod>::all(client.clone())
            .list(&ListParams::default().limit(1))
            .await;
        assert!(listed.is_ok(), "retried after Retry-After: {listed:?}");
        assert!(
            began.elapsed() >= Duration::from_secs(1),
            "waited as asked: {:?}",
            began.elapsed()
        );

        // Slow answers are waited for.
        cluster.set_faults(FaultSet::parse("slow=300ms").unwrap());
        cluster.drop_watches();
        control(&client, "/podscope/burst?remove=10").await;
        converged(&w, &client, "slow answers").await;
        cluster.set_faults(FaultSet::default());
        drop(w);

        // The controls are the admin's: the read-only user is refused.
        let viewer = podscope::cluster::connect(&podscope::cluster::Target {
            kubeconfig: Some(cluster.kubeconfig.clone()),
            context: Some("podscope-demo-viewer".into()),
        })
        .await
        .unwrap()
        .client;
        let asked = viewer
            .request_text(
                hyper::Request::post("/podscope/faults")
                    .body(b"503".to_vec())
                    .unwrap(),
            )
            .await;
        assert!(
            matches!(&asked, Err(kube::Error::Api(s)) if s.code == 403),
            "{asked:?}"
        );
        let shown = client
            .request_text(
                hyper::Request::get("/podscope/faults")
                    .body(Vec::new())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(shown, "{\"faults\":\"\"}\n", "nothing was set");

        // Listing every namespace refused: the watch says so and stops (the TUI then shows
        // the context's namespace).
        cluster.set_faults(FaultSet::parse("deny-all-namespaces").unwrap());
        let mut denied = watch::spawn(client.clone(), None, Arc::new(Vec::new()));
        wait_status(&mut denied, "403 on all namespaces", |s| {
            matches!(s, WatchStatus::ForbiddenAllNamespaces { reason } if reason.contains("forbidden"))
        })
        .await;
        // ... while one namespace is still allowed.
        let mut one = watch::spawn(client.clone(), Some("default".into()), Arc::new(Vec::new()));
        wait_status(&mut one, "one namespace", |s| *s == WatchStatus::Synced).await;
        cluster.stop().await;
    });
}

#[test]
fn a_restarted_server_with_its_state_dir_is_reconnected_to_with_nothing_lost() {
    run(async {
        let dir = std::env::temp_dir().join(format!("podscope-state-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let options = || DemoOptions {
            synthetic: 200,
            state_dir: Some(dir.clone()),
            ..Default::default()
        };
        let first = DemoCluster::start(options()).await.unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(&dir.join("kubeconfig")), 0o600);
        }
        let client = client_of(&first).await;
        let mut w = watch::spawn(client.clone(), None, Arc::new(Vec::new()));
        wait_status(&mut w, "first sync", |s| *s == WatchStatus::Synced).await;
        control(&client, "/podscope/burst?add=30").await;
        let before = converged(&w, &client, "the first sync").await;
        first.stop().await;
        {
            use std::os::unix::fs::PermissionsExt;
            let state = std::fs::metadata(dir.join("state.json")).unwrap();
            assert_eq!(state.permissions().mode() & 0o777, 0o600);
        }
        wait_status(&mut w, "the server gone", |s| {
            matches!(s, WatchStatus::Reconnecting { .. })
        })
        .await;
        // The same port, CA and tokens: the client it had reconnects by itself.
        let second = DemoCluster::start(options()).await.unwrap();
        wait_status(&mut w, "the server back", |s| *s == WatchStatus::Synced).await;
        let after = converged(&w, &client, "the restart").await;
        assert_eq!(before, after, "the same pods with the same UIDs");
        second.stop().await;
        let _ = std::fs::remove_dir_all(&dir);
    });
}
