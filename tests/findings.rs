//! The pod doctor on pods whose status is shaped as the kubelet writes it, with events in the
//! kubelet's and the scheduler's own message formats (`reference/k8s-writes.md` §11), and on
//! real pods read back from clusters (`tests/fixtures/real/live-*`).

mod common;

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use podscope::model::PodInsight;
use podscope::model::event::{EventType, PodEvent};
use podscope::model::findings::{Finding, FindingCode, NextKey, Observed, Severity, diagnose};
use podscope::model::manifest::parse_manifests;

const NOW: &str = "2026-12-02T10:00:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn insight(yaml: &str) -> PodInsight {
    let mut set = parse_manifests(yaml, "test.yaml").expect("valid");
    PodInsight::new(set.pods.remove(0), &[])
}

fn event(
    kind: EventType,
    reason: &str,
    container: Option<&str>,
    message: &str,
    count: i32,
) -> PodEvent {
    PodEvent {
        kind,
        reason: reason.into(),
        message: message.into(),
        count,
        first_seen: Some("2026-12-02T09:50:00Z".parse().unwrap()),
        last_seen: Some("2026-12-02T09:59:30Z".parse().unwrap()),
        container: container.map(str::to_string),
        source: "kubelet".into(),
        pod_uid: None,
    }
}

fn run(
    insight: &PodInsight,
    events: &[PodEvent],
    logs: &[(&str, &str)],
    previous: &[(&str, &str)],
) -> Vec<Finding> {
    let to_map = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(c, text)| (c.to_string(), text.lines().map(str::to_string).collect()))
            .collect()
    };
    let (logs, previous) = (to_map(logs), to_map(previous));
    diagnose(
        insight,
        &Observed {
            now: now(),
            events,
            logs: &logs,
            previous_logs: &previous,
        },
    )
}

fn only(findings: &[Finding], code: FindingCode) -> Finding {
    let found: Vec<&Finding> = findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(found.len(), 1, "want one {code:?} in {findings:#?}");
    found[0].clone()
}

const MYAPP: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: myapp-pod, namespace: default}
spec:
  initContainers:
  - {name: init-myservice, image: busybox:1.28, command: ['sh', '-c', "until nslookup myservice; do echo waiting for myservice; sleep 2; done"]}
  - {name: init-mydb, image: busybox:1.28, command: ['sh', '-c', "until nslookup mydb; do echo waiting for mydb; sleep 2; done"]}
  containers:
  - {name: myapp-container, image: busybox:1.28, command: ['sh', '-c', 'echo The app is running! && sleep 3600']}
status:
  phase: Pending
  conditions:
  - {type: Initialized, status: "False", reason: ContainersNotInitialized, message: "containers with incomplete status: [init-myservice init-mydb]"}
  initContainerStatuses:
  - {name: init-myservice, ready: false, restartCount: 0, image: busybox:1.28, imageID: "", state: {running: {startedAt: "2026-12-02T09:48:00Z"}}}
  - {name: init-mydb, ready: false, restartCount: 0, image: busybox:1.28, imageID: "", state: {waiting: {reason: PodInitializing}}}
  containerStatuses:
  - {name: myapp-container, ready: false, restartCount: 0, image: busybox:1.28, imageID: "", state: {waiting: {reason: PodInitializing}}}
"#;

#[test]
fn an_init_container_blocking_the_pod_says_which_step_for_how_long_and_its_last_lines() {
    let p = insight(MYAPP);
    let findings = run(
        &p,
        &[],
        &[(
            "init-myservice",
            "nslookup: can't resolve 'myservice'\nwaiting for myservice",
        )],
        &[],
    );
    let f = only(&findings, FindingCode::InitBlocking);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.container.as_deref(), Some("init-myservice"));
    assert_eq!(
        f.headline,
        "init container init-myservice (1 of 2) has been running for 12m: the pod waits for it"
    );
    assert!(
        f.evidence
            .contains(&"last log line: waiting for myservice".to_string()),
        "{:?}",
        f.evidence
    );
    assert_eq!(
        f.next,
        ["kubectl logs myapp-pod -c init-myservice -n default"]
    );
    assert_eq!(f.key, Some(NextKey::Logs));
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

const CRASHY: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: crashy, namespace: default}
spec:
  containers:
  - name: app
    image: busybox:1.36
    resources: {limits: {memory: 64Mi}}
  - {name: metrics-exporter, image: prom/statsd-exporter:v0.26.0}
status:
  phase: Running
  containerStatuses:
  - name: app
    ready: false
    restartCount: 4
    image: busybox:1.36
    imageID: ""
    state: {waiting: {reason: CrashLoopBackOff, message: "back-off 1m20s restarting failed container=app pod=crashy_default(2c4e)"}}
    lastState: {terminated: {exitCode: EXIT, reason: REASON, startedAt: "2026-12-02T09:58:00Z", finishedAt: "2026-12-02T09:58:05Z"}}
  - {name: metrics-exporter, ready: true, restartCount: 0, image: x, imageID: "", state: {running: {startedAt: "2026-12-02T09:40:00Z"}}}
"#;

#[test]
fn a_crash_loop_gives_the_last_exit_and_the_previous_instances_last_line() {
    let p = insight(&CRASHY.replace("EXIT", "1").replace("REASON", "Error"));
    let events = [event(
        EventType::Warning,
        "BackOff",
        Some("app"),
        "Back-off restarting failed container app in pod crashy_default(2c4e)",
        9,
    )];
    let findings = run(
        &p,
        &events,
        &[],
        &[(
            "app",
            "handling request 4\nfatal: lost connection to database at db:5432",
        )],
    );
    let f = only(&findings, FindingCode::CrashLoop);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.headline,
        "app is crash-looping: its last run exited 1 (Error) after 5s, 4 restarts"
    );
    assert_eq!(
        f.evidence.last().unwrap(),
        "previous instance's last line: fatal: lost connection to database at db:5432"
    );
    assert_eq!(f.next, ["kubectl logs crashy -c app -n default --previous"]);
    assert_eq!(f.key, Some(NextKey::PreviousLogs));
}

#[test]
fn oom_killed_is_said_against_the_memory_limit() {
    let p = insight(&CRASHY.replace("EXIT", "137").replace("REASON", "OOMKilled"));
    let f = only(&run(&p, &[], &[], &[]), FindingCode::OomKilled);
    assert_eq!(
        f.headline,
        "app is crash-looping: it was killed for using more than its memory limit (64Mi) after 5s, 4 restarts"
    );
}

const PULL: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
  - {name: web, image: "nginx:nope"}
status:
  phase: Pending
  containerStatuses:
  - {name: web, ready: false, restartCount: 0, image: "nginx:nope", imageID: "", state: {waiting: {reason: ImagePullBackOff, message: "Back-off pulling image \"nginx:nope\""}}}
"#;

#[test]
fn image_pull_failures_say_the_registrys_reason() {
    let p = insight(PULL);
    let cases = [
        (
            "Failed to pull image \"nginx:nope\": rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found",
            "no such image or tag",
        ),
        (
            "Failed to pull image \"nginx:nope\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:abc: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
            "the registry's pull rate limit was reached",
        ),
        (
            "Failed to pull image \"nginx:nope\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \"docker.io/library/nginx:nope\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed",
            "the repository does not exist, or it is private and needs imagePullSecrets",
        ),
        (
            "Failed to pull image \"nginx:nope\": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: unexpected status from HEAD request to https://registry.example.com/v2/team/web/manifests/nope: 401 Unauthorized",
            "the registry refused access (a private image needs imagePullSecrets)",
        ),
    ];
    for (message, cause) in cases {
        let events = [
            event(EventType::Warning, "Failed", Some("web"), message, 3),
            event(
                EventType::Warning,
                "Failed",
                Some("web"),
                "Error: ErrImagePull",
                3,
            ),
        ];
        let f = only(&run(&p, &events, &[], &[]), FindingCode::ImagePull);
        assert_eq!(
            f.headline,
            format!("web's image nginx:nope cannot be pulled: {cause}")
        );
        assert!(f.evidence.contains(&message.to_string()));
    }
}

const PROBED: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: default}
spec:
  containers:
  - name: api
    image: example.com/api:1
    ports: [{containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: 8080}}
    livenessProbe: {tcpSocket: {port: 8080}}
status:
  phase: Running
  containerStatuses:
  - {name: api, ready: false, restartCount: 2, image: x, imageID: "", state: {running: {startedAt: "2026-12-02T09:30:00Z"}}, lastState: {terminated: {exitCode: 137, reason: Error, startedAt: "2026-12-02T09:20:00Z", finishedAt: "2026-12-02T09:30:00Z"}}}
"#;

#[test]
fn probe_failures_come_from_the_kubelets_events_with_how_often() {
    let p = insight(PROBED);
    let events = [
        event(
            EventType::Warning,
            "Unhealthy",
            Some("api"),
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            20,
        ),
        event(
            EventType::Warning,
            "Unhealthy",
            Some("api"),
            "Liveness probe failed: dial tcp 10.244.0.18:8080: connect: connection refused",
            6,
        ),
        event(
            EventType::Normal,
            "Killing",
            Some("api"),
            "Container api failed liveness probe, will be restarted",
            2,
        ),
    ];
    let findings = run(&p, &events, &[], &[]);
    let probes: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == FindingCode::ProbeFailing)
        .collect();
    assert_eq!(probes.len(), 2, "{findings:#?}");
    let liveness = probes
        .iter()
        .find(|f| f.headline.contains("liveness"))
        .unwrap();
    assert_eq!(liveness.severity, Severity::Error);
    assert_eq!(
        liveness.headline,
        "api's liveness probe is failing: dial tcp 10.244.0.18:8080: connect: connection refused"
    );
    assert!(
        liveness
            .evidence
            .contains(&"the kubelet restarted api for it".to_string())
    );
    let readiness = probes
        .iter()
        .find(|f| f.headline.contains("readiness"))
        .unwrap();
    assert_eq!(
        readiness.evidence[0],
        "Readiness probe failed 20 times, last 30s ago: HTTP probe failed with statuscode: 503"
    );
    assert_eq!(readiness.evidence[1], "the probe: GET /ready on port 8080");
    // The restarts are said too, and the unready container is not said twice.
    only(&findings, FindingCode::Restarting);
    assert!(findings.iter().all(|f| f.code != FindingCode::NeverReady));
}

#[test]
fn a_container_never_ready_without_probe_events_is_said_after_a_grace() {
    let p = insight(&PROBED.replace("restartCount: 2", "restartCount: 0"));
    let f = only(&run(&p, &[], &[], &[]), FindingCode::NeverReady);
    assert_eq!(f.headline, "api has been running for 30m but is not ready");
    assert_eq!(f.evidence, ["readiness probe: GET /ready on port 8080"]);
}

#[test]
fn mount_failures_name_the_missing_object() {
    let p = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec:\n  containers:\n  - name: web\n    image: nginx\n    volumeMounts: [{name: cfg, mountPath: /etc/web}]\n  volumes:\n  - {name: cfg, configMap: {name: nope}}\nstatus:\n  phase: Pending\n  containerStatuses:\n  - {name: web, ready: false, restartCount: 0, image: nginx, imageID: \"\", state: {waiting: {reason: ContainerCreating}}}\n",
    );
    let events = [event(
        EventType::Warning,
        "FailedMount",
        None,
        "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found",
        7,
    )];
    let f = only(&run(&p, &events, &[], &[]), FindingCode::MountFailed);
    assert_eq!(
        f.headline,
        "volume cfg cannot be mounted: configmap nope not found"
    );
    assert_eq!(
        f.evidence[1],
        "mounted by web, which cannot start until it is"
    );
}

#[test]
fn a_jobs_regular_sidecar_that_keeps_it_running_gets_the_native_sidecar_fix() {
    let p = insight(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: report-x1\n  namespace: batch\n  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: report, uid: u, controller: true}]\nspec:\n  restartPolicy: Never\n  containers:\n  - {name: report, image: example.com/report:1}\n  - {name: log-shipper, image: fluent/fluent-bit:3.0}\nstatus:\n  phase: Running\n  containerStatuses:\n  - {name: report, ready: false, restartCount: 0, image: x, imageID: \"\", state: {terminated: {exitCode: 0, reason: Completed}}}\n  - {name: log-shipper, ready: true, restartCount: 0, image: x, imageID: \"\", state: {running: {startedAt: \"2026-12-02T09:00:00Z\"}}}\n",
    );
    let f = only(&run(&p, &[], &[], &[]), FindingCode::JobSidecarRunning);
    assert_eq!(
        f.headline,
        "log-shipper keeps the Job running after report finished"
    );
    let fix = f.fix.as_deref().unwrap();
    assert!(fix.contains("initContainers:\n  - name: log-shipper\n    image: fluent/fluent-bit:3.0\n    restartPolicy: Always"), "{fix}");
}

#[test]
fn a_native_sidecar_not_started_holds_the_app() {
    let p = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: orders, namespace: default}\nspec:\n  initContainers:\n  - {name: proxy, image: envoyproxy/envoy:v1.30, restartPolicy: Always, startupProbe: {tcpSocket: {port: 15000}}}\n  containers:\n  - {name: orders, image: example.com/orders:1}\nstatus:\n  phase: Pending\n  initContainerStatuses:\n  - {name: proxy, ready: false, started: false, restartCount: 0, image: x, imageID: \"\", state: {running: {startedAt: \"2026-12-02T09:59:00Z\"}}}\n  containerStatuses:\n  - {name: orders, ready: false, restartCount: 0, image: x, imageID: \"\", state: {waiting: {reason: PodInitializing}}}\n",
    );
    let f = only(&run(&p, &[], &[], &[]), FindingCode::NativeSidecarNotReady);
    assert_eq!(
        f.headline,
        "native sidecar proxy has started but is not up yet (startup probe): the app containers wait for it"
    );
}

#[test]
fn unschedulable_evicted_and_terminating_for_long() {
    let pending = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: big, namespace: default}\nspec:\n  containers:\n  - {name: big, image: busybox, resources: {requests: {cpu: '64'}}}\nstatus:\n  phase: Pending\n  conditions:\n  - {type: PodScheduled, status: \"False\", reason: Unschedulable, message: \"0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.\"}\n",
    );
    let mut scheduler = event(
        EventType::Warning,
        "FailedScheduling",
        None,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
        4,
    );
    scheduler.source = "default-scheduler".into();
    let f = only(
        &run(&pending, &[scheduler], &[], &[]),
        FindingCode::Unschedulable,
    );
    assert_eq!(
        f.headline,
        "no node can take it: 0/1 nodes are available: 1 Insufficient cpu"
    );
    // The condition alone says as much when the events are not known.
    only(&run(&pending, &[], &[], &[]), FindingCode::Unschedulable);

    let evicted = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: cache, namespace: default}\nspec:\n  containers: [{name: cache, image: redis}]\nstatus:\n  phase: Failed\n  reason: Evicted\n  message: \"The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. Container cache was using 1200Mi, request is 0, has larger consumption of memory.\"\n",
    );
    let f = only(&run(&evicted, &[], &[], &[]), FindingCode::Evicted);
    assert!(
        f.headline
            .starts_with("evicted: The node was low on resource: memory.")
    );

    let stuck = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: stuck, namespace: default, deletionTimestamp: \"2026-12-02T09:50:00Z\", finalizers: [example.com/cleanup]}\nspec:\n  containers: [{name: app, image: busybox}]\n",
    );
    let f = only(&run(&stuck, &[], &[], &[]), FindingCode::TerminatingLong);
    assert_eq!(f.headline, "terminating, 10m past its grace period");
    assert_eq!(
        f.next[1],
        "kubectl delete pod stuck -n default --grace-period=0 --force"
    );
}

#[test]
fn two_containers_on_one_port_is_a_finding() {
    let p = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: twice}\nspec:\n  containers:\n  - {name: a, image: nginx, ports: [{containerPort: 80}]}\n  - {name: b, image: httpd, ports: [{containerPort: 80}]}\n",
    );
    let f = only(&run(&p, &[], &[], &[]), FindingCode::SharedPort);
    assert_eq!(
        f.headline,
        "a, b all declare port 80: only one can listen on it"
    );
}

#[test]
fn a_healthy_pod_has_no_findings_and_events_of_an_older_pod_are_not_its() {
    let p = insight(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ok, namespace: default, uid: new-uid}\nspec:\n  containers: [{name: app, image: nginx}]\nstatus:\n  phase: Running\n  containerStatuses:\n  - {name: app, ready: true, restartCount: 0, image: x, imageID: \"\", state: {running: {startedAt: \"2026-12-02T09:00:00Z\"}}}\n",
    );
    let mut old = event(
        EventType::Warning,
        "Unhealthy",
        Some("app"),
        "Readiness probe failed: HTTP probe failed with statuscode: 500",
        3,
    );
    old.pod_uid = Some("old-uid".into());
    assert!(run(&p, &[old], &[], &[]).is_empty());
}

#[test]
fn real_pods_read_back_from_clusters() {
    // A troubleshoot support bundle: an init container whose command is misspelt.
    let path = common::fixture_dir("real").join("live-troubleshoot-init-crashloop.yaml");
    let pods = common::insights(&path);
    let findings = diagnose(&pods[0], &Observed::at(now()));
    let f = only(&findings, FindingCode::ConfigError);
    assert_eq!(f.container.as_deref(), Some("install"));
    assert!(
        f.headline.starts_with("install cannot start: "),
        "{}",
        f.headline
    );
    // OpenShift's etcd static pod, healthy: nothing to say.
    let path = common::fixture_dir("real").join("live-ocp-etcd-static-pod.yaml");
    let etcd = &common::insights(&path)[0];
    let findings = diagnose(etcd, &Observed::at(now()));
    assert!(
        findings.iter().all(|f| f.severity < Severity::Error),
        "{findings:#?}"
    );
}
