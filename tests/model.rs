//! The pure model on small YAML pods: kubectl's default-container rule, the volume matrix,
//! status conversion, user overrides of roles.

use podscope::model::default_container::DefaultChoice;
use podscope::model::manifest::parse_manifests;
use podscope::model::pod::{ContainerState, PodOrigin};
use podscope::model::volume::{VolumeSource, volume_matrix};
use podscope::model::{Confidence, ContainerRole, Pod, PodInsight, RoleRule, default_container};

fn pod(yaml: &str) -> Pod {
    parse_manifests(yaml, "test.yaml")
        .expect("valid")
        .pods
        .remove(0)
}

const THREE_SECTIONS: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations: ANNOTATIONS
spec:
  initContainers:
  - {name: init-config, image: busybox}
  - {name: log-shipper, image: fluent/fluent-bit, restartPolicy: Always}
  containers:
  - {name: app, image: nginx}
  - {name: metrics, image: nginx/nginx-prometheus-exporter}
  ephemeralContainers:
  - {name: debugger, image: busybox, targetContainerName: app}
"#;

fn three_sections(annotations: &str) -> Pod {
    pod(&THREE_SECTIONS.replace("ANNOTATIONS", annotations))
}

#[test]
fn containers_come_in_start_order() {
    let p = three_sections("{}");
    let names: Vec<&str> = p.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["init-config", "log-shipper", "app", "metrics", "debugger"]
    );
    assert!(p.containers[1].native_sidecar);
    assert!(!p.containers[0].native_sidecar);
    assert_eq!(p.containers[4].target_container.as_deref(), Some("app"));
}

#[test]
fn default_container_is_the_first_with_kubectls_notice() {
    let d = default_container(&three_sections("{}")).unwrap();
    assert_eq!(d.name, "app");
    assert_eq!(d.chosen_by, DefaultChoice::FirstContainer);
    assert_eq!(
        d.notice.as_deref(),
        Some(
            r#"Defaulted container "app" out of: app, metrics, debugger (ephem), init-config (init), log-shipper (init)"#
        )
    );
}

#[test]
fn the_annotation_may_name_an_init_container_and_kubectl_says_nothing() {
    let p = three_sections(r#"{"kubectl.kubernetes.io/default-container": "log-shipper"}"#);
    let d = default_container(&p).unwrap();
    assert_eq!(
        (d.name.as_str(), d.chosen_by, d.notice),
        ("log-shipper", DefaultChoice::Annotation, None)
    );
}

#[test]
fn an_annotation_naming_no_container_falls_back_with_kubectls_warning() {
    let p = three_sections(r#"{"kubectl.kubernetes.io/default-container": "gone"}"#);
    let d = default_container(&p).unwrap();
    assert_eq!(d.name, "app");
    let notice = d.notice.unwrap();
    assert!(
        notice.starts_with(
            "Default container name \"gone\" not found in pod web\nDefaulted container \"app\""
        ),
        "{notice}"
    );
    let insight = PodInsight::new(p, &[]);
    assert!(insight.lints.iter().any(|l| {
        l.to_string()
            .contains("names gone, which is not a container")
    }));
}

#[test]
fn a_single_container_pod_gets_no_notice() {
    let p = pod(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec:\n  containers: [{name: only, image: nginx}]\n",
    );
    let d = default_container(&p).unwrap();
    assert_eq!((d.name.as_str(), d.notice), ("only", None));
}

#[test]
fn roles_by_section_and_pattern() {
    let insight = PodInsight::new(three_sections("{}"), &[]);
    let roles: Vec<(&str, ContainerRole, bool)> = insight
        .containers()
        .map(|(c, r)| (c.name.as_str(), r.role, r.native_sidecar))
        .collect();
    assert_eq!(
        roles,
        [
            ("init-config", ContainerRole::Init, false),
            ("log-shipper", ContainerRole::Sidecar, true),
            ("app", ContainerRole::Main, false),
            ("metrics", ContainerRole::Adapter, false),
            ("debugger", ContainerRole::Ephemeral, false),
        ]
    );
    let debugger = insight.role_of("debugger").unwrap();
    assert!(
        debugger
            .evidence
            .iter()
            .any(|e| e.contains("targets container app"))
    );
}

#[test]
fn the_role_annotation_overrides_inference() {
    let p = three_sections(
        r#"{"role.podscope.io/metrics": "sidecar", "role.podscope.io/log-shipper": "ambassador", "role.podscope.io/init-config": "main"}"#,
    );
    let insight = PodInsight::new(p, &[]);
    let metrics = insight.role_of("metrics").unwrap();
    assert_eq!(
        (metrics.role, metrics.confidence),
        (ContainerRole::Sidecar, Confidence::High)
    );
    assert_eq!(
        metrics.evidence[0],
        "set by the pod annotation role.podscope.io/metrics"
    );
    let shipper = insight.role_of("log-shipper").unwrap();
    assert_eq!(
        (shipper.role, shipper.native_sidecar),
        (ContainerRole::Ambassador, true)
    );
    // A plain init container stays init: the section is a fact, not an inference.
    assert_eq!(
        insight.role_of("init-config").unwrap().role,
        ContainerRole::Init
    );
}

#[test]
fn config_rules_override_inference_and_the_annotation_wins_over_them() {
    let rules = [
        RoleRule {
            image: Some("nginx/*".into()),
            name: None,
            role: ContainerRole::Main,
        },
        RoleRule {
            image: None,
            name: Some("ap?".into()),
            role: ContainerRole::Ambassador,
        },
    ];
    let insight = PodInsight::new(three_sections("{}"), &rules);
    let metrics = insight.role_of("metrics").unwrap();
    assert_eq!(metrics.role, ContainerRole::Main);
    assert!(
        metrics.evidence[0].starts_with("set by your config rule (image nginx/*"),
        "{:?}",
        metrics.evidence
    );
    assert_eq!(
        insight.role_of("app").unwrap().role,
        ContainerRole::Ambassador
    );

    let p = three_sections(r#"{"role.podscope.io/app": "main"}"#);
    let insight = PodInsight::new(p, &rules);
    assert_eq!(insight.role_of("app").unwrap().role, ContainerRole::Main);
}

#[test]
fn volume_matrix_has_paths_modes_and_sub_paths() {
    let p = pod(r#"
apiVersion: v1
kind: Pod
metadata: {name: m}
spec:
  containers:
  - name: a
    image: nginx
    volumeMounts:
    - {name: conf, mountPath: /etc/nginx/nginx.conf, subPath: nginx.conf, readOnly: true}
    - {name: data, mountPath: /data}
  - name: b
    image: busybox
    volumeMounts:
    - {name: data, mountPath: /in, readOnly: true}
  volumes:
  - name: conf
    configMap: {name: nginx-conf}
  - name: data
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  - name: claim
    persistentVolumeClaim: {claimName: pvc-1, readOnly: true}
  - name: sec
    secret: {secretName: tls}
  - name: host
    hostPath: {path: /var/log, type: Directory}
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        spec:
          accessModes: [ReadWriteOnce]
          storageClassName: fast
          resources: {requests: {storage: 1Gi}}
  - name: csi
    csi: {driver: secrets-store.csi.k8s.io, readOnly: true}
"#);
    let m = volume_matrix(&p);
    let conf = &m[0];
    assert!(!conf.shared());
    assert_eq!(
        (
            conf.mounts[0].path,
            conf.mounts[0].read_only,
            conf.mounts[0].sub_path
        ),
        ("/etc/nginx/nginx.conf", true, Some("nginx.conf"))
    );
    let data = &m[1];
    assert!(data.shared());
    assert_eq!(data.volume.source.detail(), "medium Memory, sizeLimit 64Mi");
    assert_eq!(
        data.mounts
            .iter()
            .map(|c| (c.container, c.read_only))
            .collect::<Vec<_>>(),
        [("a", false), ("b", true)]
    );
    let details: Vec<(&str, String)> = m
        .iter()
        .skip(2)
        .map(|u| (u.volume.source.kind(), u.volume.source.detail()))
        .collect();
    assert_eq!(
        details,
        [
            (
                "persistentVolumeClaim",
                "claim pvc-1, read-only".to_string()
            ),
            ("secret", "secret tls".to_string()),
            ("hostPath", "/var/log (Directory)".to_string()),
            (
                "ephemeral",
                "1Gi, ReadWriteOnce, storageClass fast".to_string()
            ),
            (
                "csi",
                "driver secrets-store.csi.k8s.io, read-only".to_string()
            ),
        ]
    );
    assert!(matches!(p.volumes[3].source, VolumeSource::Secret { .. }));
}

#[test]
fn status_is_converted_and_templates_take_the_workload_name() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/real/kubectl-get-list.yaml"
    ))
    .unwrap();
    let set = parse_manifests(&text, "list.yaml").unwrap();
    let myapp = &set.pods[0];
    let app = myapp.container("myapp").unwrap();
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.restart_count, 2);
    assert!(matches!(status.state, ContainerState::Running { .. }));
    assert_eq!(
        status.last_state.as_ref().unwrap().summary(),
        "Terminated: Error (exit 1)"
    );
    let nginx = &set.pods[1];
    assert_eq!(nginx.namespace, "web");
    assert_eq!(
        nginx.containers[0].status.as_ref().unwrap().state.summary(),
        "Waiting: ImagePullBackOff"
    );

    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/real/k8s-docs-cronjob.yaml"
    ))
    .unwrap();
    let cron = parse_manifests(&text, "cron.yaml").unwrap().pods.remove(0);
    assert_eq!(cron.name, "hello");
    assert_eq!(
        cron.origin,
        PodOrigin::Template {
            kind: "CronJob".into()
        }
    );
}

#[test]
fn last_applied_configuration_is_dropped() {
    let p = pod(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"big\": true}'\n    team: web\nspec:\n  containers: [{name: a, image: nginx}]\n",
    );
    assert_eq!(p.annotations.keys().collect::<Vec<_>>(), ["team"]);
}

#[test]
fn in_a_jobs_pod_the_container_that_completed_is_the_main() {
    // A Job's pod read back from a cluster: the work finished, the unknown helper beside it
    // (listed first) is still running and keeps the Job from completing.
    let p = pod(r#"
apiVersion: v1
kind: Pod
metadata:
  name: nightly-report-28391-abcde
  ownerReferences:
  - {apiVersion: batch/v1, kind: Job, name: nightly-report-28391, uid: u1, controller: true}
spec:
  containers:
  - {name: uploader, image: example.com/tools/uploader:3}
  - {name: report, image: example.com/reports/nightly:1}
status:
  phase: Running
  containerStatuses:
  - {name: uploader, ready: true, restartCount: 0, image: x, imageID: x, state: {running: {startedAt: "2026-12-01T02:00:00Z"}}}
  - {name: report, ready: false, restartCount: 0, image: x, imageID: x, state: {terminated: {exitCode: 0, reason: Completed}}}
"#);
    assert_eq!(p.owner_kind.as_deref(), Some("Job"));
    let insight = PodInsight::new(p, &[]);
    let report = insight.role_of("report").unwrap();
    assert_eq!(report.role, ContainerRole::Main, "{:?}", report.evidence);
    assert!(report.evidence[0].contains("ran to completion in a Job pod"));
    let uploader = insight.role_of("uploader").unwrap();
    assert_eq!(
        uploader.role,
        ContainerRole::Sidecar,
        "{:?}",
        uploader.evidence
    );
    assert!(
        uploader
            .evidence
            .iter()
            .any(|e| e.contains("keeps the Job alive")),
        "{:?}",
        uploader.evidence
    );
}

#[test]
fn kubectls_wrapped_quoted_strings_and_kindless_archive_pods_are_read() {
    // kubectl (go-yaml) wraps a long quoted value with continuation lines no deeper than the
    // `- name:` dash; support archives store pods as JSON objects without `kind`.
    let wrapped = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wrapped\nspec:\n  containers:\n  - name: app\n    image: busybox\n    env:\n    - name: TEMPLATE\n      value: '{\"a\": \"b\",\n    \"c\": \"d\"}'\n";
    let p = pod(wrapped);
    assert_eq!(p.containers[0].env.len(), 1);
    let bare = r#"{"metadata": {"name": "bare", "namespace": "ns"}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}"#;
    let set = parse_manifests(bare, "archive.json").unwrap();
    assert_eq!(set.pods[0].name, "bare");
}
