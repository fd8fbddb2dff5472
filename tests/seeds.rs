//! The study notes podscope grew from (../shared/seeds/) must come out right: every pod, every
//! container, the roles in issue #2's table.

mod common;

use podscope::model::{ContainerRole, PodInsight};

const EXPECTED: &[(&str, &[(&str, ContainerRole)])] = &[
    (
        "simple-webapp",
        &[
            ("simple-webapp", ContainerRole::Main),
            ("log-agent", ContainerRole::Sidecar),
        ],
    ),
    (
        "counter",
        &[
            ("count", ContainerRole::Main),
            ("count-agent", ContainerRole::Sidecar),
        ],
    ),
    (
        "yellow",
        &[
            ("lemon", ContainerRole::Main),
            ("gold", ContainerRole::Main),
        ],
    ),
    (
        "app",
        &[
            ("app", ContainerRole::Main),
            ("sidecar", ContainerRole::Sidecar),
        ],
    ),
    (
        "myapp-pod",
        &[
            ("init-myservice", ContainerRole::Init),
            ("init-mydb", ContainerRole::Init),
            ("myapp-container", ContainerRole::Main),
        ],
    ),
    (
        "my-multicontainer-pod",
        &[
            ("nginx", ContainerRole::Main),
            ("busybox-sidecar", ContainerRole::Sidecar),
        ],
    ),
    (
        "multicontainer-pod",
        &[
            ("producer", ContainerRole::Sidecar),
            ("consumer", ContainerRole::Main),
        ],
    ),
    (
        "webserver",
        &[
            ("nginx", ContainerRole::Main),
            ("sidecar-container", ContainerRole::Sidecar),
        ],
    ),
    (
        "nginx-adapter",
        &[
            ("webserver", ContainerRole::Main),
            ("adapter", ContainerRole::Adapter),
        ],
    ),
    (
        "ambassador-example",
        &[
            ("redis-client", ContainerRole::Main),
            ("ambassador", ContainerRole::Ambassador),
        ],
    ),
];

fn seed_pods() -> Vec<PodInsight> {
    common::fixture_files("seeds")
        .iter()
        .flat_map(|f| common::insights(f))
        .collect()
}

#[test]
fn every_seed_pod_is_a_fixture() {
    let pods = seed_pods();
    let mut names: Vec<&str> = pods.iter().map(|p| p.pod.name.as_str()).collect();
    names.sort_unstable();
    let mut expected: Vec<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    expected.sort_unstable();
    assert_eq!(names, expected);
}

#[test]
fn seed_roles_match_the_study_notes() {
    let pods = seed_pods();
    for (pod_name, containers) in EXPECTED {
        let insight = pods.iter().find(|p| p.pod.name == *pod_name).unwrap();
        let got: Vec<(&str, ContainerRole)> = insight
            .containers()
            .map(|(c, r)| (c.name.as_str(), r.role))
            .collect();
        assert_eq!(got, containers.to_vec(), "pod {pod_name}");
        for (c, r) in insight.containers() {
            assert!(
                !r.evidence.is_empty(),
                "{pod_name}/{} has no evidence",
                c.name
            );
        }
    }
}

#[test]
fn counter_sidecar_evidence_names_the_log_shipper_and_the_shared_volume() {
    let pods = seed_pods();
    let counter = pods.iter().find(|p| p.pod.name == "counter").unwrap();
    let agent = counter.role_of("count-agent").unwrap();
    assert!(
        agent
            .evidence
            .contains(&"image fluentd is a log shipper".to_string()),
        "{:?}",
        agent.evidence
    );
    assert!(
        agent
            .evidence
            .contains(&"reads volume varlog written by count".to_string()),
        "{:?}",
        agent.evidence
    );
}

#[test]
fn producer_feeds_what_nginx_serves() {
    let pods = seed_pods();
    let pod = pods
        .iter()
        .find(|p| p.pod.name == "multicontainer-pod")
        .unwrap();
    let producer = pod.role_of("producer").unwrap();
    assert!(
        producer
            .evidence
            .iter()
            .any(|e| e.contains("fills volume webcontent") && e.contains("consumer serves")),
        "{:?}",
        producer.evidence
    );
}

#[test]
fn the_adapter_snippet_warns_about_its_undeclared_volume() {
    let pods = seed_pods();
    let pod = pods.iter().find(|p| p.pod.name == "nginx-adapter").unwrap();
    let warnings: Vec<String> = pod.lints.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "container webserver mounts volume nginx-conf, which the pod does not declare under spec.volumes"
        ]
    );
}

#[test]
fn yellow_mains_are_co_equal() {
    let pods = seed_pods();
    let pod = pods.iter().find(|p| p.pod.name == "yellow").unwrap();
    for name in ["lemon", "gold"] {
        let r = pod.role_of(name).unwrap();
        assert!(
            r.evidence.iter().any(|e| e.starts_with("co-equal with")),
            "{name}: {:?}",
            r.evidence
        );
    }
}
