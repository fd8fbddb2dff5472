//! Conversion from k8s-openapi types into podscope's model. Pure: no clock, no I/O.

use super::str_map::StrMap;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod::{
    Container, ContainerPort, EnvSource, EnvValue, EnvVar, Pod, PodOrigin, PortRef, Probe,
    ProbeAction, ProbeKind, Resources, Section, Security, VolumeMount,
};

mod status;
mod volumes;

use status::apply_status;
use volumes::volume;

/// The annotation `kubectl apply` leaves behind: a full copy of the manifest, never useful here.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Convert an API pod. `managedFields` and the last-applied annotation are dropped.
pub fn pod_from_api(pod: &core::Pod, source: Option<&str>) -> Pod {
    let spec = pod.spec.clone().unwrap_or_default();
    let mut out = from_parts(&pod.metadata, &spec, PodOrigin::Pod, source);
    if let Some(status) = &pod.status {
        apply_status(&mut out, status);
    }
    out
}

/// Convert a workload's pod template. The pod takes the workload's name and namespace.
pub fn pod_from_template(
    workload_kind: &str,
    workload_meta: &ObjectMeta,
    template: &core::PodTemplateSpec,
    source: Option<&str>,
) -> Pod {
    let mut meta = template.metadata.clone().unwrap_or_default();
    meta.name = workload_meta.name.clone();
    meta.namespace = workload_meta.namespace.clone();
    meta.uid = workload_meta.uid.clone();
    meta.creation_timestamp = workload_meta.creation_timestamp.clone();
    let spec = template.spec.clone().unwrap_or_default();
    let origin = PodOrigin::Template {
        kind: workload_kind.to_string(),
    };
    from_parts(&meta, &spec, origin, source)
}

fn from_parts(
    meta: &ObjectMeta,
    spec: &core::PodSpec,
    origin: PodOrigin,
    source: Option<&str>,
) -> Pod {
    let mut annotations: BTreeMap<String, String> = meta.annotations.clone().unwrap_or_default();
    annotations.remove(LAST_APPLIED);
    let annotations = StrMap::from(annotations);

    let count = spec.init_containers.as_ref().map_or(0, Vec::len)
        + spec.containers.len()
        + spec.ephemeral_containers.as_ref().map_or(0, Vec::len);
    // Exactly as many as there are: a pod is kept for as long as it is watched.
    let mut containers = Vec::with_capacity(count);
    for c in spec.init_containers.iter().flatten() {
        let native = c.restart_policy.as_deref() == Some("Always");
        containers.push(container(c, Section::Init, native));
    }
    for c in &spec.containers {
        containers.push(container(c, Section::Regular, false));
    }
    for e in spec.ephemeral_containers.iter().flatten() {
        containers.push(ephemeral(e));
    }

    Pod {
        namespace: meta
            .namespace
            .clone()
            .unwrap_or_else(|| "default".to_string()),
        name: meta
            .name
            .clone()
            .or_else(|| meta.generate_name.as_ref().map(|g| format!("{g}*")))
            .unwrap_or_default(),
        uid: meta.uid.clone(),
        origin,
        source: source.map(str::to_string),
        owner_kind: controller_kind(meta),
        labels: StrMap::from(meta.labels.clone().unwrap_or_default()),
        annotations,
        created: meta.creation_timestamp.as_ref().map(|t| t.0),
        deleting: meta.deletion_timestamp.is_some(),
        deletion: meta.deletion_timestamp.as_ref().map(|t| t.0),
        node: spec.node_name.clone(),
        restart_policy: spec.restart_policy.clone(),
        service_account: spec
            .service_account_name
            .clone()
            .or_else(|| spec.service_account.clone()),
        priority_class: spec.priority_class_name.clone(),
        share_process_namespace: spec.share_process_namespace == Some(true),
        host_network: spec.host_network == Some(true),
        qos_class: None,
        phase: None,
        reason: None,
        message: None,
        conditions: Vec::new(),
        pod_ip: None,
        nominated_node: None,
        containers,
        volumes: spec.volumes.iter().flatten().map(volume).collect(),
    }
}

fn security(s: Option<&core::SecurityContext>) -> Security {
    let Some(s) = s else {
        return Security::default();
    };
    let caps = s.capabilities.as_ref();
    Security {
        run_as_user: s.run_as_user,
        run_as_non_root: s.run_as_non_root,
        privileged: s.privileged == Some(true),
        allow_privilege_escalation: s.allow_privilege_escalation,
        read_only_root: s.read_only_root_filesystem == Some(true),
        capabilities_added: caps.and_then(|c| c.add.clone()).unwrap_or_default(),
        capabilities_dropped: caps.and_then(|c| c.drop.clone()).unwrap_or_default(),
    }
}

fn lifecycle(l: Option<&core::Lifecycle>) -> Vec<(String, String)> {
    let handler = |h: &core::LifecycleHandler| -> String {
        if let Some(e) = &h.exec {
            format!("runs `{}`", e.command.clone().unwrap_or_default().join(" "))
        } else if let Some(g) = &h.http_get {
            let port = match &g.port {
                IntOrString::Int(n) => n.to_string(),
                IntOrString::String(s) => s.clone(),
            };
            format!("GET {} on port {port}", g.path.as_deref().unwrap_or("/"))
        } else if let Some(s) = &h.sleep {
            format!("sleeps {}s", s.seconds)
        } else if h.tcp_socket.is_some() {
            "opens a TCP connection".to_string()
        } else {
            "does nothing".to_string()
        }
    };
    let Some(l) = l else { return Vec::new() };
    [("postStart", &l.post_start), ("preStop", &l.pre_stop)]
        .into_iter()
        .filter_map(|(name, h)| h.as_ref().map(|h| (name.to_string(), handler(h))))
        .collect()
}

fn resources(r: Option<&core::ResourceRequirements>) -> Resources {
    let quantities =
        |m: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>| {
            m.iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.0.clone()))
                .collect()
        };
    r.map(|r| Resources {
        requests: quantities(&r.requests),
        limits: quantities(&r.limits),
    })
    .unwrap_or_default()
}

/// The kind of the owner marked `controller: true`, else of the first owner.
fn controller_kind(meta: &ObjectMeta) -> Option<String> {
    let owners = meta.owner_references.as_deref().unwrap_or_default();
    owners
        .iter()
        .find(|o| o.controller == Some(true))
        .or(owners.first())
        .map(|o| o.kind.clone())
}

/// `Container` and `EphemeralContainer` are distinct API types with the same field names.
macro_rules! convert_container {
    ($c:expr, $section:expr, $native:expr, $target:expr) => {
        Container {
            name: $c.name.clone(),
            section: $section,
            native_sidecar: $native,
            image: $c.image.clone().filter(|i| !i.trim().is_empty()),
            command: $c.command.clone().unwrap_or_default(),
            args: $c.args.clone().unwrap_or_default(),
            working_dir: $c.working_dir.clone(),
            ports: ports($c.ports.as_deref()),
            mounts: mounts($c.volume_mounts.as_deref()),
            env: env($c.env.as_deref()),
            env_from: env_from($c.env_from.as_deref()),
            probes: probes(&$c.liveness_probe, &$c.readiness_probe, &$c.startup_probe),
            resources: resources($c.resources.as_ref()),
            security: security($c.security_context.as_ref()),
            lifecycle: lifecycle($c.lifecycle.as_ref()),
            target_container: $target,
            status: None,
        }
    };
}

fn container(c: &core::Container, section: Section, native_sidecar: bool) -> Container {
    convert_container!(c, section, native_sidecar, None)
}

fn ephemeral(e: &core::EphemeralContainer) -> Container {
    convert_container!(
        e,
        Section::Ephemeral,
        false,
        e.target_container_name.clone()
    )
}

fn ports(ports: Option<&[core::ContainerPort]>) -> Vec<ContainerPort> {
    ports
        .unwrap_or_default()
        .iter()
        .map(|p| ContainerPort {
            name: p.name.clone(),
            container_port: p.container_port,
            protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
        })
        .collect()
}

fn mounts(mounts: Option<&[core::VolumeMount]>) -> Vec<VolumeMount> {
    mounts
        .unwrap_or_default()
        .iter()
        .map(|m| VolumeMount {
            volume: m.name.clone(),
            path: m.mount_path.clone(),
            read_only: m.read_only.unwrap_or(false),
            sub_path: m.sub_path.clone().filter(|s| !s.is_empty()),
            sub_path_expr: m.sub_path_expr.clone().filter(|s| !s.is_empty()),
        })
        .collect()
}

fn env(vars: Option<&[core::EnvVar]>) -> Vec<EnvVar> {
    vars.unwrap_or_default()
        .iter()
        .map(|v| EnvVar {
            name: v.name.clone(),
            value: env_value(v),
        })
        .collect()
}

fn env_value(v: &core::EnvVar) -> EnvValue {
    if let Some(value) = &v.value {
        return EnvValue::Literal(value.clone());
    }
    let Some(from) = &v.value_from else {
        return EnvValue::Unset;
    };
    if let Some(r) = &from.config_map_key_ref {
        EnvValue::ConfigMapKey {
            name: r.name.clone(),
            key: r.key.clone(),
        }
    } else if let Some(r) = &from.secret_key_ref {
        EnvValue::SecretKey {
            name: r.name.clone(),
            key: r.key.clone(),
        }
    } else if let Some(r) = &from.field_ref {
        EnvValue::Field(r.field_path.clone())
    } else if let Some(r) = &from.resource_field_ref {
        EnvValue::Resource(r.resource.clone())
    } else if let Some(r) = &from.file_key_ref {
        EnvValue::File {
            volume: r.volume_name.clone(),
            path: r.path.clone(),
        }
    } else {
        EnvValue::Unset
    }
}

fn env_from(sources: Option<&[core::EnvFromSource]>) -> Vec<EnvSource> {
    sources
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            if let Some(c) = &s.config_map_ref {
                Some(EnvSource::ConfigMap {
                    name: c.name.clone(),
                    prefix: s.prefix.clone(),
                })
            } else {
                s.secret_ref.as_ref().map(|r| EnvSource::Secret {
                    name: r.name.clone(),
                    prefix: s.prefix.clone(),
                })
            }
        })
        .collect()
}

fn probes(
    liveness: &Option<core::Probe>,
    readiness: &Option<core::Probe>,
    startup: &Option<core::Probe>,
) -> Vec<Probe> {
    [
        (ProbeKind::Liveness, liveness),
        (ProbeKind::Readiness, readiness),
        (ProbeKind::Startup, startup),
    ]
    .into_iter()
    .filter_map(|(kind, p)| {
        p.as_ref().map(|p| Probe {
            kind,
            action: probe_action(p),
            initial_delay: p.initial_delay_seconds,
            period: p.period_seconds,
            timeout: p.timeout_seconds,
            failure_threshold: p.failure_threshold,
        })
    })
    .collect()
}

fn probe_action(p: &core::Probe) -> ProbeAction {
    if let Some(h) = &p.http_get {
        ProbeAction::HttpGet {
            path: h.path.clone(),
            port: port_ref(&h.port),
        }
    } else if let Some(t) = &p.tcp_socket {
        ProbeAction::TcpSocket {
            port: port_ref(&t.port),
        }
    } else if let Some(g) = &p.grpc {
        ProbeAction::Grpc { port: g.port }
    } else if let Some(e) = &p.exec {
        ProbeAction::Exec {
            command: e.command.clone().unwrap_or_default(),
        }
    } else {
        ProbeAction::None
    }
}

fn port_ref(port: &IntOrString) -> PortRef {
    match port {
        IntOrString::Int(n) => PortRef::Number(*n),
        IntOrString::String(s) => match s.parse() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(s.clone()),
        },
    }
}
