//! Every view as a person sees it, at 80x24 and 120x40, rendered by the real components into
//! a test terminal from the demo pods (`tests/fixtures/demo-pods.json`) with the clock fixed,
//! so ages are stable. Reviewed with `cargo insta review`.

mod common;

use common::screens::{demo_app, press, screen};

fn both_sizes(name: &str, keys: &str) {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = demo_app(w, h);
        press(&mut app, keys);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&app));
    }
}

#[test]
fn pod_list() {
    both_sizes("pod_list", "");
}

#[test]
fn pod_list_filtered() {
    both_sizes("pod_list_filtered", "/count\n");
}

#[test]
fn pod_view_counter_main() {
    // counter is the second row.
    both_sizes("pod_view_counter", "j\n");
}

#[test]
fn pod_view_counter_sidecar() {
    both_sizes("pod_view_counter_sidecar", "j\nj");
}

#[test]
fn pod_view_init_containers() {
    both_sizes("pod_view_myapp", "/myapp\n\n");
}

#[test]
fn pod_view_native_sidecar() {
    both_sizes("pod_view_native_sidecar", "/native\n\n⇱");
}

#[test]
fn pod_view_ambassador() {
    both_sizes("pod_view_ambassador", "/ambassador\n\nj");
}

#[test]
fn volumes_counter() {
    both_sizes("volumes_counter", "j\nv");
}

#[test]
fn volumes_with_localhost_links() {
    both_sizes("volumes_nginx_adapter", "/nginx-adapter\nv");
}

#[test]
fn help() {
    both_sizes("help", "?");
}

#[test]
fn a_low_confidence_role_is_marked_and_says_how_to_settle_it() {
    // multicontainer-pod's producer is a sidecar only because it fills what nginx serves:
    // a guess, marked with `?` in the list and explained in the detail.
    let mut app = demo_app(120, 40);
    press(&mut app, "/multicontainer-pod\n\n");
    let shown = screen(&app);
    let row = shown
        .lines()
        .find(|l| l.contains("producer") && l.contains("sidecar"))
        .unwrap_or_else(|| panic!("no producer row:\n{shown}"));
    assert!(row.contains("sidecar?"), "{row}");
    assert!(
        shown.contains("role.podscope.io/producer=<role>"),
        "{shown}"
    );
    let consumer = shown.lines().find(|l| l.contains(" consumer ")).unwrap();
    assert!(!consumer.contains("main?"), "{consumer}");
}

#[test]
fn the_detail_shows_probes_resources_env_sources_and_security_but_never_a_value() {
    use podscope::model::PodInsight;
    use podscope::model::manifest::parse_manifests;
    use podscope::state::{App, Msg, Scope, Source, pod_set, update};

    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  serviceAccountName: api-runner
  containers:
  - name: api
    image: example.com/api:1
    env:
    - {name: DB_PASSWORD, value: hunter2-literal}
    - name: DB_TOKEN
      valueFrom: {secretKeyRef: {name: db, key: token}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    envFrom:
    - configMapRef: {name: api-config}
    resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}
    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 5, failureThreshold: 6}
    securityContext:
      runAsUser: 1000
      readOnlyRootFilesystem: true
      capabilities: {add: [NET_ADMIN], drop: [ALL]}
    lifecycle: {preStop: {exec: {command: [sh, -c, sleep 5]}}}
"#;
    let pods: Vec<PodInsight> = parse_manifests(yaml, "api.yaml")
        .unwrap()
        .pods
        .into_iter()
        .map(|p| PodInsight::new(p, &[]))
        .collect();
    let source = Source::Files {
        paths: vec!["api.yaml".into()],
    };
    let mut app = App::new(source, Scope::All, "2026-12-02T10:00:00Z".parse().unwrap());
    update(&mut app, Msg::Resize(120, 40));
    update(&mut app, Msg::Pods(pod_set(pods)));
    press(&mut app, "\n");
    let shown = screen(&app);
    for wanted in [
        "Probe      readiness: GET /ready on port 8080 · every 5s, timeout 1s, fails after 6",
        "Resources  requests cpu 100m, memory 128Mi · limits memory 256Mi",
        "Env        DB_PASSWORD (value), DB_TOKEN (secret db/token), POD_IP (field status.podIP), all",
        "Security   runs as user 1000 · adds NET_ADMIN · drops ALL · read-only root filesystem",
        "Lifecycle  preStop runs `sh -c sleep 5`",
        "sa api-runner",
    ] {
        assert!(shown.contains(wanted), "missing {wanted:?}:\n{shown}");
    }
    assert!(
        !shown.contains("hunter2"),
        "a value reached the screen:\n{shown}"
    );
}
