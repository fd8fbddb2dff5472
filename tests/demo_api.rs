//! The demo cluster's API server in-process, spoken to over raw HTTP/1.1: auth, discovery,
//! pod lists (JSON and Table), selectors, watches with resourceVersion semantics.

use std::time::Duration;

use podscope::demo::{DemoCluster, DemoOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod common;

/// One request on a fresh connection; returns (status code, body).
async fn get(
    cluster: &DemoCluster,
    path: &str,
    token: Option<&str>,
    accept: &str,
) -> (u16, String) {
    let addr = cluster.url.trim_start_matches("https://");
    let mut stream = common::tls::connect(cluster).await;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Accept: {accept}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, dechunk(&body))
}

/// Undo `Transfer-Encoding: chunked` when present (good enough for JSON bodies).
fn dechunk(body: &str) -> String {
    if body.starts_with('{') {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            out.push_str(&after[..after.len().min(n)]);
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

async fn cluster() -> DemoCluster {
    DemoCluster::start(DemoOptions::default())
        .await
        .expect("demo cluster starts")
}

#[tokio::test]
async fn requests_without_the_token_are_refused() {
    let c = cluster().await;
    assert!(c.url.starts_with("https://127.0.0.1:"), "{}", c.url);
    let (code, body) = get(&c, "/api/v1/pods", None, "application/json").await;
    assert_eq!(code, 401);
    let status: Value = serde_json::from_str(body.trim()).unwrap();
    assert_eq!(
        (status["kind"].as_str(), status["reason"].as_str()),
        (Some("Status"), Some("Unauthorized"))
    );
    let (code, _) = get(&c, "/api/v1/pods", Some("wrong"), "application/json").await;
    assert_eq!(code, 401);
    let kubeconfig = std::fs::read_to_string(&c.kubeconfig).unwrap();
    assert!(kubeconfig.contains(&c.token));
    assert!(kubeconfig.contains("certificate-authority-data: "));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&c.kubeconfig)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let dir = c.kubeconfig.parent().unwrap().to_path_buf();
    c.stop().await;
    assert!(!dir.exists(), "the temporary directory is removed on stop");
}

#[tokio::test]
async fn version_and_discovery_follow_the_accept_header() {
    let c = cluster().await;
    let t = Some(c.token.as_str());
    let (code, body) = get(&c, "/version?timeout=5s", t, "application/json, */*").await;
    assert_eq!(code, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["minor"], "32");
    let (_, legacy) = get(&c, "/api", t, "application/json").await;
    assert_eq!(
        serde_json::from_str::<Value>(&legacy).unwrap()["kind"],
        "APIVersions"
    );
    let (_, aggregated) = get(
        &c,
        "/api",
        t,
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&aggregated).unwrap()["kind"],
        "APIGroupDiscoveryList"
    );
    let (code, _) = get(&c, "/apis", t, "application/json").await;
    assert_eq!(code, 200);
    let (code, body) = get(&c, "/nope", t, "application/json").await;
    assert_eq!(code, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["reason"],
        "NotFound"
    );
    c.stop().await;
}

#[tokio::test]
async fn pods_list_get_table_and_selectors() {
    let c = cluster().await;
    let t = Some(c.token.as_str());
    let (_, body) = get(&c, "/api/v1/pods?", t, "application/json").await;
    let list: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(list["kind"], "PodList");
    assert_eq!(list["items"].as_array().unwrap().len(), 13);
    assert!(
        list["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );

    let table_accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    // The runtime starts the containers within moments; READY follows what runs.
    let mut counter = Value::Null;
    for _ in 0..100 {
        let (_, body) = get(
            &c,
            "/api/v1/namespaces/default/pods?limit=500",
            t,
            table_accept,
        )
        .await;
        let table: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(table["kind"], "Table");
        counter = table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["cells"][0] == "counter")
            .unwrap()
            .clone();
        if counter["cells"][1] == "2/2" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(counter["cells"][1], "2/2");
    assert_eq!(counter["cells"][2], "Running");
    assert_eq!(counter["object"]["metadata"]["namespace"], "default");
    let (_, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/myapp-pod",
        t,
        table_accept,
    )
    .await;
    let row = &serde_json::from_str::<Value>(&body).unwrap()["rows"][0];
    assert_eq!(row["cells"][2], "Init:0/2");

    let (_, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/counter",
        t,
        "application/json",
    )
    .await;
    let pod: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (pod["kind"].as_str(), pod["metadata"]["name"].as_str()),
        (Some("Pod"), Some("counter"))
    );
    let (code, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/nope",
        t,
        "application/json",
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["message"],
        "pods \"nope\" not found"
    );

    let (_, body) = get(
        &c,
        "/api/v1/pods?labelSelector=run%3Dyellow",
        t,
        "application/json",
    )
    .await;
    let names: Vec<String> = serde_json::from_str::<Value>(&body).unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["yellow"]);
    let (code, body) = get(
        &c,
        "/api/v1/pods?fieldSelector=spec.bogus%3D1",
        t,
        "application/json",
    )
    .await;
    assert_eq!(code, 400);
    assert!(body.contains("field label not supported: spec.bogus"));
    let (_, body) = get(
        &c,
        "/api/v1/namespaces/elastic-stack/pods",
        t,
        "application/json",
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["items"][0]["metadata"]["name"],
        "app"
    );
    c.stop().await;
}

#[tokio::test]
async fn lists_come_in_pages_with_continue_tokens() {
    let c = cluster().await;
    let t = Some(c.token.as_str());
    let (_, body) = get(&c, "/api/v1/pods", t, "application/json").await;
    let all: Value = serde_json::from_str(&body).unwrap();
    let names = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    // limit=5: 5 + 5 + 3, each page naming how many remain and the first page's version.
    let mut paged = Vec::new();
    let mut path = "/api/v1/pods?limit=5".to_string();
    let mut versions = Vec::new();
    loop {
        let (code, body) = get(&c, &path, t, "application/json").await;
        assert_eq!(code, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        paged.extend(names(&page));
        versions.push(page["metadata"]["resourceVersion"].clone());
        let Some(token) = page["metadata"]["continue"].as_str() else {
            assert!(page["metadata"]["remainingItemCount"].is_null());
            break;
        };
        assert_eq!(
            page["metadata"]["remainingItemCount"],
            13 - paged.len(),
            "{body}"
        );
        path = format!("/api/v1/pods?limit=5&continue={token}");
    }
    assert_eq!(paged, names(&all));
    assert_eq!(versions.len(), 3);
    assert!(versions.iter().all(|v| v == &versions[0]), "{versions:?}");
    // With a selector the rest is unknown, as on the apiserver: a token, but no count. Pages
    // of one namespace stay in it.
    let mut seen = Vec::new();
    let mut path = "/api/v1/namespaces/default/pods?limit=2&labelSelector=app".to_string();
    loop {
        let (code, body) = get(&c, &path, t, "application/json").await;
        assert_eq!(code, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert!(page["metadata"]["remainingItemCount"].is_null(), "{body}");
        for p in page["items"].as_array().unwrap() {
            assert_eq!(p["metadata"]["namespace"], "default");
            assert!(p["metadata"]["labels"]["app"].is_string(), "{p}");
            seen.push(p["metadata"]["name"].as_str().unwrap().to_string());
        }
        let Some(token) = page["metadata"]["continue"].as_str() else {
            break;
        };
        path =
            format!("/api/v1/namespaces/default/pods?limit=2&labelSelector=app&continue={token}");
    }
    let labelled = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["metadata"]["namespace"] == "default" && p["metadata"]["labels"]["app"].is_string()
        })
        .count();
    assert!(labelled >= 1);
    assert_eq!(seen.len(), labelled, "{seen:?}");
    // A token that is not one is refused as the apiserver refuses it.
    let (code, body) = get(
        &c,
        "/api/v1/pods?limit=5&continue=nope!",
        t,
        "application/json",
    )
    .await;
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("continue key is not valid"), "{body}");
}

#[tokio::test]
async fn watch_sends_initial_events_and_expires_old_versions() {
    let c = cluster().await;
    let t = Some(c.token.as_str());
    let (_, body) = get(
        &c,
        "/api/v1/namespaces/default/pods?&watch=true&timeoutSeconds=1&resourceVersion=0",
        t,
        "application/json",
    )
    .await;
    let events: Vec<Value> = body
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 12, "one ADDED per pod in default");
    assert!(
        events
            .iter()
            .all(|e| e["type"] == "ADDED" && e["object"]["kind"] == "Pod")
    );

    let (_, body) = get(
        &c,
        "/api/v1/pods?watch=true&resourceVersion=1&timeoutSeconds=1",
        t,
        "application/json",
    )
    .await;
    let event: Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
    assert_eq!(event["type"], "ERROR");
    assert_eq!(
        (
            event["object"]["code"].as_i64(),
            event["object"]["reason"].as_str()
        ),
        (Some(410), Some("Expired"))
    );
    c.stop().await;
}

#[tokio::test]
async fn synthetic_pods_and_churn_reach_watchers() {
    let c = DemoCluster::start(DemoOptions {
        synthetic: 700,
        churn: 50,
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(c.pod_count(), 713);
    let t = Some(c.token.as_str());
    let (_, body) = get(&c, "/api/v1/pods", t, "application/json").await;
    let list: Value = serde_json::from_str(&body).unwrap();
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let namespaces: std::collections::BTreeSet<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["namespace"].as_str().unwrap())
        .collect();
    assert!(namespaces.len() >= 4, "{namespaces:?}");
    let path = format!("/api/v1/pods?watch=true&resourceVersion={rv}&timeoutSeconds=1");
    let (_, body) = get(&c, &path, t, "application/json").await;
    let modified = body
        .lines()
        .filter(|l| l.contains("\"type\":\"MODIFIED\""))
        .count();
    assert!(
        modified >= 10,
        "about 50 changes a second, saw {modified} in one second"
    );
    c.stop().await;
}

#[tokio::test]
async fn log_requests_get_the_apiservers_and_kubelets_answers() {
    let c = cluster().await;
    let t = Some(c.token.as_str());
    let message = |body: &str| {
        serde_json::from_str::<Value>(body).unwrap()["message"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let (code, body) = get(&c, "/api/v1/namespaces/default/pods/counter/log", t, "*/*").await;
    assert_eq!(code, 400);
    assert_eq!(
        message(&body),
        "a container name must be specified for pod counter, choose one of: [count count-agent]"
    );
    let (code, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/counter/log?container=nope",
        t,
        "*/*",
    )
    .await;
    assert_eq!(
        (code, message(&body)),
        (
            400,
            "container nope is not valid for pod counter".to_string()
        )
    );
    let (code, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/myapp-pod/log?container=myapp-container",
        t,
        "*/*",
    )
    .await;
    assert_eq!(
        (code, message(&body)),
        (
            400,
            "container \"myapp-container\" in pod \"myapp-pod\" is waiting to start: PodInitializing"
                .to_string()
        )
    );
    let (code, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/myapp-pod/log?container=myapp-container&previous=true",
        t,
        "*/*",
    )
    .await;
    assert_eq!(
        (code, message(&body)),
        (
            400,
            "previous terminated container \"myapp-container\" in pod \"myapp-pod\" not found"
                .to_string()
        )
    );
    let (code, body) = get(
        &c,
        "/api/v1/namespaces/default/pods/counter/log?container=count&tailLines=-1",
        t,
        "*/*",
    )
    .await;
    assert_eq!(code, 422);
    assert!(message(&body).contains("tailLines"), "{body}");
    let (code, _) = get(
        &c,
        "/api/v1/namespaces/default/pods/gone/log?container=x",
        t,
        "*/*",
    )
    .await;
    assert_eq!(code, 404);
    c.stop().await;
}
