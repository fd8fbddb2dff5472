//! kubectl's READY / STATUS / RESTARTS / AGE on the status recipes of
//! ../shared/reference/k8s-protocol.md §9, with the clock fixed.

use k8s_openapi::jiff::Timestamp;
use podscope::model::manifest::parse_manifests;
use podscope::model::printing::{age, summarize};

const NOW: &str = "2026-11-21T12:00:00Z";

/// (READY, STATUS, RESTARTS, AGE) for a pod given as YAML.
fn columns(yaml: &str) -> (String, String, String, String) {
    let pod = parse_manifests(yaml, "t.yaml").unwrap().pods.remove(0);
    let now: Timestamp = NOW.parse().unwrap();
    let s = summarize(&pod);
    (
        s.ready_cell(),
        s.status.clone(),
        s.restarts_cell(now),
        age(&pod, now),
    )
}

fn cols(ready: &str, status: &str, restarts: &str, age: &str) -> (String, String, String, String) {
    (ready.into(), status.into(), restarts.into(), age.into())
}

#[test]
fn running_with_a_native_sidecar_and_restarts() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: web-0, creationTimestamp: "2026-11-21T11:00:00Z"}
spec:
  initContainers:
  - {name: init-config, image: busybox}
  - {name: log-shipper, image: fluent-bit, restartPolicy: Always}
  containers:
  - {name: app, image: nginx}
  - {name: metrics, image: exporter}
status:
  phase: Running
  conditions: [{type: Initialized, status: "True"}, {type: Ready, status: "True"}]
  initContainerStatuses:
  - {name: init-config, image: busybox, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  - {name: log-shipper, image: fluent-bit, imageID: "", ready: true, started: true, restartCount: 0, state: {running: {startedAt: "2026-11-21T11:00:05Z"}}}
  containerStatuses:
  - name: app
    image: nginx
    imageID: ""
    ready: true
    restartCount: 2
    state: {running: {startedAt: "2026-11-21T11:50:05Z"}}
    lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: "2026-11-21T11:50:00Z"}}
  - {name: metrics, image: exporter, imageID: "", ready: true, restartCount: 0, state: {running: {}}}
"#;
    assert_eq!(columns(yaml), cols("3/3", "Running", "2 (10m ago)", "60m"));
}

#[test]
fn crash_loop() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: crashy, creationTimestamp: "2026-11-21T10:00:00Z"}
spec:
  containers: [{name: app, image: busybox}]
status:
  phase: Running
  containerStatuses:
  - name: app
    image: busybox
    imageID: ""
    ready: false
    restartCount: 7
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 1, reason: Error, finishedAt: "2026-11-21T11:57:59Z"}}
"#;
    assert_eq!(
        columns(yaml),
        cols("0/1", "CrashLoopBackOff", "7 (2m1s ago)", "120m")
    );
}

const MYAPP: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: myapp-pod, creationTimestamp: "2026-11-21T11:58:00Z"}
spec:
  initContainers:
  - {name: init-myservice, image: busybox}
  - {name: init-mydb, image: busybox}
  containers: [{name: myapp-container, image: busybox}]
status:
  phase: Pending
  conditions: [{type: Initialized, status: "False"}]
  initContainerStatuses:
  - {name: init-myservice, image: busybox, imageID: "", ready: false, restartCount: 0, state: INIT0}
  - {name: init-mydb, image: busybox, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
  containerStatuses:
  - {name: myapp-container, image: busybox, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
"#;

#[test]
fn init_containers_block_the_pod() {
    let running = MYAPP.replace("INIT0", "{running: {}}");
    assert_eq!(columns(&running), cols("0/1", "Init:0/2", "0", "2m"));
    let crashing = MYAPP.replace("INIT0", "{waiting: {reason: CrashLoopBackOff}}");
    assert_eq!(columns(&crashing).1, "Init:CrashLoopBackOff");
    let failed = MYAPP.replace("INIT0", "{terminated: {exitCode: 1, reason: Error}}");
    assert_eq!(columns(&failed).1, "Init:Error");
    let signalled = MYAPP.replace("INIT0", "{terminated: {exitCode: 137, signal: 9}}");
    assert_eq!(columns(&signalled).1, "Init:Signal:9");
    let first_done = MYAPP.replace("INIT0", "{terminated: {exitCode: 0, reason: Completed}}");
    assert_eq!(columns(&first_done).1, "Init:1/2");
}

#[test]
fn a_native_sidecar_not_yet_started_keeps_the_pod_initializing() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: proxy, image: envoy, restartPolicy: Always}]
  containers: [{name: app, image: nginx}]
status:
  phase: Pending
  initContainerStatuses:
  - {name: proxy, image: envoy, imageID: "", ready: false, started: false, restartCount: 0, state: {running: {}}}
  containerStatuses:
  - {name: app, image: nginx, imageID: "", ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
"#;
    assert_eq!(columns(yaml), cols("0/2", "Init:0/1", "0", "<unknown>"));
}

#[test]
fn completed_next_to_running_is_not_ready_and_deletion_is_terminating() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p, DELETION}
spec:
  containers: [{name: a, image: xa}, {name: b, image: yb}]
status:
  phase: Running
  conditions: [{type: Ready, status: "False"}]
  containerStatuses:
  - {name: a, image: xa, imageID: "", ready: true, restartCount: 0, state: {running: {}}}
  - {name: b, image: yb, imageID: "", ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
"#;
    assert_eq!(columns(&yaml.replace(", DELETION", "")).1, "NotReady");
    assert_eq!(columns(&yaml.replace(", DELETION", "")).0, "1/2");
    let deleting = yaml.replace("DELETION", "deletionTimestamp: \"2026-11-21T11:59:00Z\"");
    assert_eq!(columns(&deleting).1, "Terminating");
}

#[test]
fn image_pull_and_plain_pending() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: x}]
status:
  phase: Pending
  STATUSES
"#;
    assert_eq!(columns(&yaml.replace("STATUSES", "")).1, "Pending");
    let pulling = yaml.replace(
        "STATUSES",
        "containerStatuses: [{name: a, image: x, imageID: \"\", ready: false, restartCount: 0, state: {waiting: {reason: ImagePullBackOff}}}]",
    );
    assert_eq!(
        columns(&pulling),
        cols("0/1", "ImagePullBackOff", "0", "<unknown>")
    );
}
