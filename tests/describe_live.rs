//! `podscope describe` against a cluster (`podscope demo --serve`): findings with the log
//! lines they point at, events, container states, and kubectl's words for a missing pod.

mod common;

use std::time::{Duration, Instant};

use common::serve::Demo;
use serde_json::Value;

fn json(demo: &Demo, args: &[&str]) -> Value {
    let out = demo.podscope(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Describe `pod` until `ready` holds (the demo's containers need a moment to crash).
fn describe_until(demo: &Demo, pod: &str, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let doc = json(demo, &["describe", pod, "-o", "json"]);
        let p = doc["pods"][0].clone();
        if ready(&p) {
            return p;
        }
        assert!(Instant::now() < deadline, "never reached the state: {p:#}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn describe_on_a_cluster_says_what_is_wrong_and_what_to_run() {
    let demo = Demo::start();
    // crashy's main crashes every few seconds: a crash loop with its previous instance's
    // last line, read from the cluster.
    let crashy = describe_until(&demo, "crashy", |p| {
        p["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["code"] == "crash-loop"))
    });
    let finding = crashy["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "crash-loop")
        .unwrap();
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["container"], "app");
    assert!(
        finding["headline"]
            .as_str()
            .unwrap()
            .starts_with("app is crash-looping: its last run exited 1 (Error)"),
        "{finding:#}"
    );
    let evidence = finding["evidence"].to_string();
    assert!(
        evidence.contains(
            "previous instance's last line: fatal: lost connection to database at db:5432"
        ),
        "{evidence}"
    );
    assert_eq!(
        finding["next"][0],
        "kubectl logs crashy -c app -n default --previous"
    );
    let app = &crashy["containers"][0];
    assert_eq!(app["name"], "app");
    assert!(app["restarts"].as_i64().unwrap() >= 1, "{app:#}");
    let events = crashy["events"].as_array().unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["reason"] == "BackOff" && e["type"] == "Warning"),
        "{events:#?}"
    );

    // myapp-pod waits for a Service that does not exist: its first init container blocks it,
    // and says so in its log.
    let out = demo.podscope(&["describe", "myapp-pod"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("init container init-myservice (1 of 2) has been running for"),
        "{table}"
    );
    assert!(
        table.contains("last log line: waiting for myservice"),
        "{table}"
    );
    assert!(table.contains("Events:"), "{table}");

    // A healthy pod has no findings; the whole cluster in one document.
    let all = json(&demo, &["describe", "-A", "-o", "json"]);
    let pods = all["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 13);
    let counter = pods.iter().find(|p| p["name"] == "counter").unwrap();
    assert_eq!(counter["findings"], serde_json::json!([]));

    // A pod that is not there: kubectl's words and exit code.
    let out = demo.podscope(&["describe", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        r#"Error from server (NotFound): pods "nope" not found"#
    );
}
