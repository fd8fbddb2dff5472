//! The demo cluster as kube-rs sees it, through the kubeconfig the demo writes: list, watch
//! (a too-old resourceVersion answered with 410, then a re-list), the runtime watcher, a
//! followed log stream, and exec with exit status, stdin and a resized terminal.

use std::time::Duration;

use futures_util::{AsyncBufReadExt, SinkExt, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams, ListParams, LogParams, TerminalSize, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::watcher;
use kube::{Client, Config};
use podscope::demo::{DemoCluster, DemoOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start() -> (DemoCluster, Client) {
    start_with(DemoOptions::default()).await
}

async fn start_with(options: DemoOptions) -> (DemoCluster, Client) {
    let cluster = DemoCluster::start(options).await.unwrap();
    let kubeconfig = Kubeconfig::read_from(&cluster.kubeconfig).unwrap();
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = Client::try_from(config).unwrap();
    (cluster, client)
}

/// Wait until `ready` holds for the pod (the runtime starts containers within moments).
async fn wait_for(api: &Api<Pod>, name: &str, ready: impl Fn(&Pod) -> bool) -> Pod {
    for _ in 0..200 {
        let pod = api.get(name).await.unwrap();
        if ready(&pod) {
            return pod;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("pod {name} never reached the expected state");
}

fn all_running(pod: &Pod) -> bool {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    statuses.is_some_and(|s| {
        s.iter()
            .all(|c| c.state.as_ref().is_some_and(|st| st.running.is_some()))
    })
}

#[tokio::test]
async fn list_watch_expiry_and_relist() {
    let (cluster, client) = start().await;
    let all: Api<Pod> = Api::all(client.clone());
    let list = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 13);
    let rv = list.metadata.resource_version.clone().unwrap();

    // A resourceVersion older than the server's history: 410 Expired, as either an API
    // error or an ERROR event, which tells a client to list again.
    let mut stream = all
        .watch(&WatchParams::default().timeout(5), "1")
        .await
        .unwrap()
        .boxed();
    let first = stream.next().await.expect("the watch answers");
    let code = match first {
        Ok(WatchEvent::Error(status)) => status.code,
        Err(kube::Error::Api(status)) => status.code,
        other => panic!("expected 410, got {other:?}"),
    };
    assert_eq!(code, 410);

    // Re-list, then watch from the list's version: the runtime's changes arrive as MODIFIED.
    let relisted = all.list(&ListParams::default()).await.unwrap();
    let from = relisted.metadata.resource_version.unwrap();
    assert!(from.parse::<u64>().unwrap() >= rv.parse::<u64>().unwrap());
    let default: Api<Pod> = Api::default_namespaced(client.clone());
    let mut changes = default
        .watch(&WatchParams::default().timeout(20), &from)
        .await
        .unwrap()
        .boxed();
    let modified = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(event) = changes.next().await {
            if let Ok(WatchEvent::Modified(pod)) = event {
                return pod;
            }
        }
        panic!("the watch ended without a change");
    })
    .await
    .expect("crashy restarts within 20 s");
    assert_eq!(modified.metadata.namespace.as_deref(), Some("default"));

    // The runtime watcher (list + watch) sees every pod before InitDone.
    let mut events = watcher(all, watcher::Config::default()).boxed();
    let mut seen = 0;
    while let Some(event) = events.try_next().await.unwrap() {
        match event {
            watcher::Event::InitApply(_) => seen += 1,
            watcher::Event::InitDone => break,
            _ => {}
        }
    }
    assert_eq!(seen, 13);
    cluster.stop().await;
}

#[tokio::test]
async fn log_stream_follows_new_lines() {
    let (cluster, client) = start().await;
    let pods: Api<Pod> = Api::default_namespaced(client);
    wait_for(&pods, "counter", all_running).await;
    let params = LogParams {
        container: Some("count-agent".into()),
        follow: true,
        tail_lines: Some(1),
        ..Default::default()
    };
    let mut lines = pods.log_stream("counter", &params).await.unwrap().lines();
    // count writes a line a second; the shipper's stand-in follows both files.
    let mut got: Vec<String> = Vec::new();
    while got.iter().filter(|l| l.contains("tail.")).count() < 3 {
        let line = tokio::time::timeout(Duration::from_secs(15), lines.next())
            .await
            .expect("a followed log keeps delivering")
            .expect("the stream stays open")
            .unwrap();
        got.push(line);
    }
    assert!(got.len() >= 3, "{got:?}");
    cluster.stop().await;
}

#[tokio::test]
async fn exec_reads_the_shared_volume_and_reports_exit_codes() {
    let (cluster, client) = start().await;
    let pods: Api<Pod> = Api::default_namespaced(client);
    wait_for(&pods, "counter", all_running).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // count-agent sees at /var/log what count writes there: the seed's sidecar pattern.
    let command = ["sh", "-c", "head -1 /var/log/1.log; hostname; exit 3"];
    let params = AttachParams::default().container("count-agent");
    let mut process = pods.exec("counter", command, &params).await.unwrap();
    let mut stdout = process.stdout().unwrap();
    let status = process.take_status().unwrap();
    let mut out = String::new();
    stdout.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("0: "), "{out}");
    assert!(
        out.contains("\ncounter\n"),
        "the pod name is the hostname: {out}"
    );
    let status = status.await.expect("a status on channel 3");
    assert_eq!(status.reason.as_deref(), Some("NonZeroExitCode"));
    let causes = status.details.unwrap().causes.unwrap();
    assert_eq!(causes[0].message.as_deref(), Some("3"));

    // A TTY: the size sent on channel 4 reaches the terminal, stdin reaches the shell.
    let params = AttachParams::interactive_tty().container("count");
    let mut process = pods.exec("counter", ["sh"], &params).await.unwrap();
    let mut resize = process.terminal_size().unwrap();
    resize
        .send(TerminalSize {
            width: 100,
            height: 30,
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut stdin = process.stdin().unwrap();
    let mut stdout = process.stdout().unwrap();
    let status = process.take_status().unwrap();
    stdin.write_all(b"stty size; exit 0\n").await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stdout.read_to_end(&mut out)).await;
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("30 100"), "{out}");
    let status = status.await.unwrap();
    assert_eq!(status.status.as_deref(), Some("Success"));

    // Errors before the upgrade come back as API errors.
    let nope = pods
        .exec(
            "counter",
            ["true"],
            &AttachParams::default().container("nope"),
        )
        .await;
    match nope {
        Err(kube::Error::Api(status)) => {
            assert_eq!(
                status.message,
                "container nope is not valid for pod counter"
            );
        }
        other => panic!("expected BadRequest, got {:?}", other.err()),
    }
    cluster.stop().await;
}

#[tokio::test]
async fn without_namespaces_the_demo_still_runs_and_says_why() {
    let (cluster, client) = start_with(DemoOptions {
        no_namespaces: true,
        ..Default::default()
    })
    .await;
    let notice = cluster.isolation_notice().expect("a notice for the user");
    assert!(
        notice.contains("mount namespaces are not available"),
        "{notice}"
    );
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    wait_for(&pods, "counter", all_running).await;
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::default_namespaced(client);
    let params = ListParams::default().fields("involvedObject.name=counter");
    let listed = events.list(&params).await.unwrap();
    let warning = listed
        .items
        .iter()
        .find(|e| e.reason.as_deref() == Some("NoMountNamespaces"))
        .expect("the pod's events say so");
    assert_eq!(warning.type_.as_deref(), Some("Warning"));
    cluster.stop().await;
}

#[tokio::test]
async fn a_debug_container_is_added_runs_and_can_be_exec_ed() {
    let (cluster, client) = start().await;
    let pods: Api<Pod> = Api::default_namespaced(client);
    wait_for(&pods, "counter", all_running).await;
    let patch = serde_json::json!({"spec": {"ephemeralContainers": [{
        "name": "debugger", "image": "busybox", "command": ["sleep", "300"],
        "targetContainerName": "count",
        "volumeMounts": [{"name": "varlog", "mountPath": "/shared"}],
    }]}});
    let params = kube::api::PatchParams::default();
    let patched = pods
        .patch_ephemeral_containers("counter", &params, &kube::api::Patch::Strategic(patch))
        .await
        .unwrap();
    let spec = patched.spec.unwrap();
    assert_eq!(spec.ephemeral_containers.unwrap()[0].name, "debugger");
    wait_for(&pods, "counter", |p| {
        let statuses = p
            .status
            .as_ref()
            .and_then(|s| s.ephemeral_container_statuses.as_ref());
        statuses.is_some_and(|s| {
            s.iter()
                .any(|c| c.state.as_ref().is_some_and(|st| st.running.is_some()))
        })
    })
    .await;
    // The debug container sees count's volume at its own mount path.
    let params = AttachParams::default().container("debugger");
    let mut process = pods
        .exec("counter", ["ls", "/shared"], &params)
        .await
        .unwrap();
    let mut out = String::new();
    process
        .stdout()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    assert!(out.contains("1.log"), "{out}");
    // Adding the same name again with another image is refused, as by the API server.
    let again = serde_json::json!({"spec": {"ephemeralContainers": [{"name": "debugger", "image": "alpine"}]}});
    let refused = pods
        .patch_ephemeral_containers(
            "counter",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Strategic(again),
        )
        .await;
    assert!(matches!(refused, Err(kube::Error::Api(s)) if s.code == 422));
    cluster.stop().await;
}

#[tokio::test]
async fn services_are_listed_watched_and_used_as_role_evidence() {
    use k8s_openapi::api::core::v1::Service;
    use podscope::cluster::watch::{self, WatchStatus};
    use podscope::model::manifest::parse_manifests;

    // The user's own Service, from -f, beside the demo's: it selects the seed `yellow`
    // (label run=yellow) and targets a port nobody declares, so it changes nothing.
    let extra = parse_manifests(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: yellow\nspec:\n  selector: {run: yellow}\n  ports: [{port: 6379}]\n",
        "svc.yaml",
    )
    .unwrap();
    let (cluster, client) = start_with(DemoOptions {
        extra,
        ..DemoOptions::default()
    })
    .await;
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let list = services.list(&ListParams::default()).await.unwrap();
    let names: Vec<_> = list
        .items
        .iter()
        .filter_map(|s| s.metadata.name.as_deref())
        .collect();
    assert_eq!(names, ["crashy-metrics", "debug-me", "orders", "yellow"]);
    let orders = services.get("orders").await.unwrap();
    let spec = orders.spec.unwrap();
    assert_eq!(spec.type_.as_deref(), Some("ClusterIP"));
    assert!(spec.cluster_ip.unwrap().starts_with("10.96."));

    // kube's watcher lists, then watches: the stream stays open with nothing to say.
    let mut events = watcher(services, watcher::Config::default()).boxed();
    let mut applied = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.next()).await {
            Ok(Some(Ok(watcher::Event::InitApply(_)))) => applied += 1,
            Ok(Some(Ok(watcher::Event::InitDone))) => break,
            Ok(Some(Ok(_))) => {}
            other => panic!("the Service watch failed: {other:?}"),
        }
    }
    assert_eq!(applied, 4);

    // podscope's own watcher uses them: orders is the main because Service orders targets it.
    let mut watch = watch::spawn(client, None, Default::default());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let insight = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "orders never showed the Service's evidence"
        );
        tokio::time::timeout(Duration::from_secs(10), watch.reports.changed())
            .await
            .expect("the pod watch reports")
            .unwrap();
        let report = watch.reports.borrow().clone();
        let found = report
            .pods
            .iter()
            .find(|p| p.pod.name == "native-sidecar")
            .cloned();
        if let (WatchStatus::Synced, Some(p)) = (&report.status, found)
            && p.role_of("orders")
                .is_some_and(|r| r.evidence.iter().any(|e| e.contains("Service")))
        {
            break p;
        }
    };
    let orders = insight.role_of("orders").unwrap();
    assert!(
        orders
            .evidence
            .iter()
            .any(|e| e == "Service orders sends its port 80 to port 8080, which orders declares"),
        "{:?}",
        orders.evidence
    );
    // A Service for monitoring says nothing of which container is the workload.
    let report = watch.reports.borrow().clone();
    let crashy = report.pods.iter().find(|p| p.pod.name == "crashy").unwrap();
    let exporter = crashy.role_of("metrics-exporter").unwrap();
    assert!(
        !exporter.evidence.iter().any(|e| e.contains("Service")),
        "{:?}",
        exporter.evidence
    );
    cluster.stop().await;
}

#[tokio::test]
async fn created_and_deleted_pods_reach_watchers_in_order() {
    use kube::api::{DeleteParams, PostParams};

    let (cluster, client) = start().await;
    let pods: Api<Pod> = Api::default_namespaced(client);
    let rv = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut events = pods
        .watch(
            &WatchParams::default()
                .fields("metadata.name=learner")
                .timeout(20),
            &rv,
        )
        .await
        .unwrap()
        .boxed();
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "learner", "labels": {"app": "learner"}},
        "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["sh", "-c", "sleep 3600"]}]}
    }))
    .unwrap();
    let created = pods.create(&PostParams::default(), &pod).await.unwrap();
    assert_eq!(
        created.spec.unwrap().node_name.as_deref(),
        Some("podscope-demo")
    );
    wait_for(&pods, "learner", all_running).await;
    pods.delete("learner", &DeleteParams::default().grace_period(2))
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut versions = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(10), events.next()).await {
        let (kind, p) = match e.unwrap() {
            WatchEvent::Added(p) => ("ADDED", p),
            WatchEvent::Modified(p) => ("MODIFIED", p),
            WatchEvent::Deleted(p) => ("DELETED", p),
            _ => continue,
        };
        versions.push(p.metadata.resource_version.unwrap().parse::<u64>().unwrap());
        let terminating = p.metadata.deletion_timestamp.is_some();
        seen.push((kind, terminating));
        if kind == "DELETED" {
            break;
        }
    }
    assert_eq!(seen.first(), Some(&("ADDED", false)), "{seen:?}");
    assert_eq!(seen.last(), Some(&("DELETED", true)), "{seen:?}");
    assert!(
        seen.contains(&("MODIFIED", true)),
        "Terminating is seen: {seen:?}"
    );
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(pods.get_opt("learner").await.unwrap().is_none());
    cluster.stop().await;
}

/// ConfigMaps and Services written through kube-rs reach watchers as they change, with
/// resourceVersions that keep increasing across kinds.
#[tokio::test]
async fn writes_of_every_kind_reach_watchers() {
    use k8s_openapi::api::core::v1::{ConfigMap, Service};
    use kube::api::{DeleteParams, Patch, PatchParams, PostParams};

    let (cluster, client) = start().await;
    let maps: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let services: Api<Service> = Api::default_namespaced(client);
    let rv = maps
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut seen = maps
        .watch(
            &WatchParams::default()
                .fields("metadata.name=settings")
                .timeout(20),
            &rv,
        )
        .await
        .unwrap()
        .boxed();
    let cm: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "settings"}, "data": {"mode": "dev"}}))
    .unwrap();
    let created = maps.create(&PostParams::default(), &cm).await.unwrap();
    let patch = serde_json::json!({"data": {"mode": "prod"}});
    let patched = maps
        .patch("settings", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();
    assert_eq!(patched.data.unwrap()["mode"], "prod");
    // Server-side apply creates a Service, with a cluster IP of the service range.
    let svc: Service = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}))
    .unwrap();
    let applied = services
        .patch("web", &PatchParams::apply("learner"), &Patch::Apply(&svc))
        .await
        .unwrap();
    let ip = applied.spec.unwrap().cluster_ip.unwrap();
    assert!(ip.starts_with("10.96."), "{ip}");
    maps.delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    let version = |c: &ConfigMap| {
        c.metadata
            .resource_version
            .clone()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let mode = |c: &ConfigMap| {
        c.data
            .clone()
            .unwrap_or_default()
            .get("mode")
            .cloned()
            .unwrap_or_default()
    };
    let mut events = Vec::new();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(10), seen.next()).await {
        let (kind, c) = match e.expect("the watch goes on") {
            WatchEvent::Added(c) => ("ADDED", c),
            WatchEvent::Modified(c) => ("MODIFIED", c),
            WatchEvent::Deleted(c) => ("DELETED", c),
            _ => continue,
        };
        events.push((kind, version(&c), mode(&c)));
        if kind == "DELETED" {
            break;
        }
    }
    let kinds: Vec<(&str, &str)> = events.iter().map(|(k, _, m)| (*k, m.as_str())).collect();
    assert_eq!(
        kinds,
        [("ADDED", "dev"), ("MODIFIED", "prod"), ("DELETED", "prod")]
    );
    assert!(events.windows(2).all(|w| w[0].1 < w[1].1), "{events:?}");
    assert_eq!(events[0].1, version(&created));
    cluster.stop().await;
}

#[tokio::test]
async fn the_first_sync_shows_what_came_so_far_and_how_far_it_is() {
    use podscope::cluster::{WatchStatus, watch};
    let (cluster, client) = start_with(DemoOptions {
        synthetic: 3000,
        ..Default::default()
    })
    .await;
    let total = cluster.pod_count();
    let mut w = watch::spawn(client, None, std::sync::Arc::new(Vec::new()));
    let mut partial = Vec::new();
    let synced = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            w.reports.changed().await.expect("the watch runs");
            let report = w.reports.borrow_and_update().clone();
            match report.status {
                WatchStatus::Syncing { loaded, expected } => {
                    partial.push((report.pods.len(), loaded, expected))
                }
                WatchStatus::Synced => return report.pods.len(),
                _ => {}
            }
        }
    })
    .await
    .expect("the watch syncs");
    assert_eq!(synced, total);
    assert!(
        partial
            .iter()
            .any(|&(shown, _, _)| shown > 0 && shown < total),
        "pods appear before the list is complete: {partial:?}"
    );
    for &(shown, loaded, _) in &partial {
        assert_eq!(shown, loaded, "what is shown is what has come");
    }
    assert!(
        partial
            .iter()
            .any(|&(_, _, expected)| expected == Some(total)),
        "the header can say of how many: {partial:?}"
    );
}
