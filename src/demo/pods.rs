//! The pods the demo cluster serves: the study-note pods (the same manifests as
//! `tests/fixtures/seeds/`, embedded so the binary needs no files), the demo's own extra pods
//! and ConfigMaps (`src/demo/manifests/`), and the user's own.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, ContainerState, ContainerStateWaiting, ContainerStatus, Pod,
    PodCondition, PodStatus, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::model::manifest::{ManifestSet, parse_manifests};

pub const NODE: &str = "podscope-demo";

const SEEDS: &[(&str, &str)] = &[
    (
        "simple-webapp.yaml",
        include_str!("../../tests/fixtures/seeds/simple-webapp.yaml"),
    ),
    (
        "counter.yaml",
        include_str!("../../tests/fixtures/seeds/counter.yaml"),
    ),
    (
        "yellow.yaml",
        include_str!("../../tests/fixtures/seeds/yellow.yaml"),
    ),
    (
        "app-elastic-stack.yaml",
        include_str!("../../tests/fixtures/seeds/app-elastic-stack.yaml"),
    ),
    (
        "myapp-pod.yaml",
        include_str!("../../tests/fixtures/seeds/myapp-pod.yaml"),
    ),
    (
        "my-multicontainer-pod.yaml",
        include_str!("../../tests/fixtures/seeds/my-multicontainer-pod.yaml"),
    ),
    (
        "multicontainer-pod.yaml",
        include_str!("../../tests/fixtures/seeds/multicontainer-pod.yaml"),
    ),
    (
        "webserver.yaml",
        include_str!("../../tests/fixtures/seeds/webserver.yaml"),
    ),
    (
        "nginx-adapter.yaml",
        include_str!("../../tests/fixtures/seeds/nginx-adapter.yaml"),
    ),
    (
        "ambassador-example.yaml",
        include_str!("../../tests/fixtures/seeds/ambassador-example.yaml"),
    ),
];

const EXTRAS: &str = include_str!("manifests/extras.yaml");
const CONFIG: &str = include_str!("manifests/config.yaml");

/// The embedded manifests (tested to parse; a failure here would be a build defect).
fn embedded(text: &str, name: &str) -> ManifestSet {
    parse_manifests(text, name).unwrap_or_default()
}

/// The demo's ConfigMaps, then the user's.
pub fn demo_config_maps(extra: &ManifestSet) -> Vec<ConfigMap> {
    let mut maps = embedded(CONFIG, "config.yaml").config_maps;
    maps.extend(extra.config_maps.iter().cloned());
    for map in &mut maps {
        map.metadata
            .namespace
            .get_or_insert_with(|| "default".to_string());
    }
    maps
}

/// The seed pods, the demo's extras, then `extra`, ready to store. Names already taken are
/// skipped.
pub fn demo_pods(extra: &ManifestSet) -> Vec<Pod> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let config_maps = demo_config_maps(extra);
    let seeds = SEEDS
        .iter()
        .flat_map(|(name, text)| embedded(text, name).api_pods)
        .chain(embedded(EXTRAS, "extras.yaml").api_pods)
        .map(|pod| complete_snippet(pod, &config_maps));
    for pod in seeds.chain(extra.api_pods.iter().cloned()) {
        let pod = admit(pod, super::now());
        let key = (pod.metadata.namespace.clone(), pod.metadata.name.clone());
        if seen.insert(key) {
            out.push(pod);
        }
    }
    out
}

/// A study-note snippet may mount a volume it never declares (nginx-adapter mounts
/// `nginx-conf`); the API server would refuse it. Where a ConfigMap of that name exists, the
/// demo declares the volume as that ConfigMap, as the snippet's tutorial does.
fn complete_snippet(mut pod: Pod, config_maps: &[ConfigMap]) -> Pod {
    let Some(spec) = pod.spec.as_mut() else {
        return pod;
    };
    let declared: BTreeSet<String> = spec
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.clone())
        .collect();
    let mounted: BTreeSet<String> = spec
        .containers
        .iter()
        .flat_map(|c| c.volume_mounts.iter().flatten())
        .map(|m| m.name.clone())
        .collect();
    for name in mounted.difference(&declared) {
        if config_maps
            .iter()
            .any(|m| m.metadata.name.as_deref() == Some(name))
        {
            spec.volumes.get_or_insert_with(Vec::new).push(Volume {
                name: name.clone(),
                config_map: Some(ConfigMapVolumeSource {
                    name: name.clone(),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    pod
}

/// A random UID, as the apiserver gives every object it creates.
pub fn new_uid() -> String {
    super::kubeconfig::random_hex(16)
        .map(|h| uuid_format(&h))
        .unwrap_or_default()
}

/// What the API server and scheduler fill in when a pod is created: namespace, uid,
/// creation time, node, and a status that says nothing has started yet.
pub fn admit(mut pod: Pod, now: Timestamp) -> Pod {
    let meta = &mut pod.metadata;
    meta.namespace.get_or_insert_with(|| "default".to_string());
    meta.uid = Some(new_uid());
    meta.creation_timestamp = Some(Time(now));
    meta.managed_fields = None;
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.node_name = Some(NODE.to_string());
    spec.restart_policy
        .get_or_insert_with(|| "Always".to_string());
    // While init containers run, the kubelet reports everything else as PodInitializing.
    let first_reason = if spec.init_containers.as_ref().is_some_and(|i| !i.is_empty()) {
        "PodInitializing"
    } else {
        "ContainerCreating"
    };
    let waiting = |name: &str, image: &Option<String>| ContainerStatus {
        name: name.to_string(),
        image: image.clone().unwrap_or_default(),
        image_id: String::new(),
        ready: false,
        started: Some(false),
        restart_count: 0,
        state: Some(ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(first_reason.to_string()),
                message: None,
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let init: Vec<ContainerStatus> = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| waiting(&c.name, &c.image))
        .collect();
    let regular: Vec<ContainerStatus> = spec
        .containers
        .iter()
        .map(|c| waiting(&c.name, &c.image))
        .collect();
    let ephemeral: Vec<ContainerStatus> = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .map(|c| waiting(&c.name, &c.image))
        .collect();
    pod.status = Some(PodStatus {
        phase: Some("Pending".to_string()),
        conditions: Some(vec![PodCondition {
            type_: "PodScheduled".to_string(),
            status: "True".to_string(),
            last_transition_time: Some(Time(now)),
            ..Default::default()
        }]),
        host_ip: Some("127.0.0.1".to_string()),
        start_time: Some(Time(now)),
        init_container_statuses: (!init.is_empty()).then_some(init),
        container_statuses: Some(regular),
        ephemeral_container_statuses: (!ephemeral.is_empty()).then_some(ephemeral),
        qos_class: Some("BestEffort".to_string()),
        ..Default::default()
    });
    pod
}

fn uuid_format(hex: &str) -> String {
    if hex.len() < 32 {
        return hex.to_string();
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
