//! What the demo runs for each container, decided from the pod alone (no I/O): the real
//! command when the image is a shell image or the command is a shell, else a simulated
//! stand-in; the environment the kubelet would give it; and where each volume is mounted.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EphemeralContainer, Pod, VolumeMount,
};

use super::config::PodConfig;
use super::standin;
use crate::model::role::knowledge::{ImageKind, image_path, known_image};

/// Commands the host's own tools can run inside the container's root.
const HOST_COMMANDS: &[&str] = &[
    "sh", "bash", "ash", "dash", "sleep", "echo", "cat", "tail", "true", "false", "printf", "env",
    "ls", "date",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Program {
    /// The container's own command, run for real.
    Real(Vec<String>),
    /// Simulated: a shell loop printing lines like the image would (`product` names it).
    StandIn { product: String, argv: Vec<String> },
}

impl Program {
    pub fn argv(&self) -> &[String] {
        match self {
            Program::Real(argv) | Program::StandIn { argv, .. } => argv,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountPlan {
    pub volume: String,
    pub sub_path: Option<String>,
    pub mount_path: String,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPlan {
    pub name: String,
    pub program: Program,
    pub env: Vec<(String, String)>,
    pub working_dir: String,
    pub mounts: Vec<MountPlan>,
    /// `stdin: true`: the process gets a stdin that stays open.
    pub stdin: bool,
    /// A busybox-based image, whose applets (like `nslookup`) scripts may expect.
    pub busybox: bool,
    /// An image with nothing in it but its program (distroless, pause): exec finds no shell
    /// and no tools, so every exec fails as it would on a node.
    pub shell_less: bool,
    /// What the stand-in serves on the pod's network, when it serves (see `serve`).
    pub serving: Option<super::serve::Serving>,
}

/// The fields the runtime needs, borrowed from a container or an ephemeral container.
pub struct ContainerView<'a> {
    pub name: &'a str,
    pub image: &'a str,
    pub command: &'a [String],
    pub args: &'a [String],
    pub env: &'a [EnvVar],
    pub env_from: &'a [EnvFromSource],
    pub working_dir: Option<&'a str>,
    pub mounts: &'a [VolumeMount],
    pub port: Option<i32>,
    pub stdin: bool,
}

macro_rules! view_from {
    ($ty:ty) => {
        impl<'a> From<&'a $ty> for ContainerView<'a> {
            fn from(c: &'a $ty) -> Self {
                ContainerView {
                    name: &c.name,
                    image: c.image.as_deref().unwrap_or_default(),
                    command: c.command.as_deref().unwrap_or_default(),
                    args: c.args.as_deref().unwrap_or_default(),
                    env: c.env.as_deref().unwrap_or_default(),
                    env_from: c.env_from.as_deref().unwrap_or_default(),
                    working_dir: c.working_dir.as_deref(),
                    mounts: c.volume_mounts.as_deref().unwrap_or_default(),
                    port: c
                        .ports
                        .as_ref()
                        .and_then(|p| p.first())
                        .map(|p| p.container_port),
                    stdin: c.stdin.unwrap_or(false),
                }
            }
        }
    };
}
view_from!(Container);
view_from!(EphemeralContainer);

pub fn plan(pod: &Pod, c: ContainerView<'_>, config: &PodConfig) -> ContainerPlan {
    let env = environment(pod, &c, config);
    let expand = |s: &String| expand_references(s, &env);
    let command: Vec<String> = c.command.iter().map(expand).collect();
    let args: Vec<String> = c.args.iter().map(expand).collect();
    let mounts: Vec<MountPlan> = c
        .mounts
        .iter()
        .map(|m| MountPlan {
            volume: m.name.clone(),
            sub_path: m.sub_path.clone().filter(|s| !s.is_empty()),
            mount_path: m.mount_path.clone(),
            read_only: m.read_only.unwrap_or(false),
        })
        .collect();
    // What the stand-in calls itself: the known product, else the program the container
    // runs (`/server` in a distroless image), else the image's name.
    let own_program = command.first().map(|c| last_segment(c).to_string());
    let mut serving = None;
    let program = match real_command(c.image, command, args.clone()) {
        Some(argv) => Program::Real(argv),
        None => {
            let product = known_image(c.image)
                .map(|k| k.product.to_string())
                .filter(|p| !p.is_empty())
                .or(own_program)
                .unwrap_or_else(|| last_segment(c.image).to_string());
            let kind = known_image(c.image).map(|k| k.kind);
            serving = super::serve::serving_of(&product, kind, c.port, &args, &env);
            Program::StandIn {
                argv: vec![
                    "/bin/sh".into(),
                    "-c".into(),
                    standin::script(&product, kind, &mounts, c.port),
                ],
                product,
            }
        }
    };
    ContainerPlan {
        name: c.name.to_string(),
        program,
        env,
        working_dir: c.working_dir.unwrap_or("/").to_string(),
        mounts,
        stdin: c.stdin,
        busybox: ["busybox", "alpine"]
            .iter()
            .any(|b| image_path(c.image).starts_with(b)),
        shell_less: shell_less(c.image),
        serving,
    }
}

/// The argv to run for real, or `None` when the image cannot run here.
fn real_command(image: &str, command: Vec<String>, args: Vec<String>) -> Option<Vec<String>> {
    let base_image = known_image(image).is_some_and(|k| k.kind == ImageKind::BaseImage)
        && !image_path(image).starts_with("curlimages/");
    let is_host_command = |argv0: &String| {
        let name = argv0.rsplit('/').next().unwrap_or(argv0);
        HOST_COMMANDS.contains(&name)
    };
    if base_image {
        // No entrypoint in these images: args alone are the command; nothing runs the default.
        let mut argv = if command.is_empty() {
            args
        } else {
            [command, args].concat()
        };
        if argv.is_empty() {
            let shell = if image_path(image).starts_with("busybox")
                || image_path(image).starts_with("alpine")
            {
                "sh"
            } else {
                "bash"
            };
            argv.push(shell.into());
        }
        return Some(argv);
    }
    command
        .first()
        .filter(|c| is_host_command(c))
        .is_some()
        .then(|| [command, args].concat())
}

/// Images known to ship without a shell: Google's distroless (but not its `:debug` tags,
/// which add busybox) and the pause image.
fn shell_less(image: &str) -> bool {
    let path = image_path(image);
    let tag = image
        .split('@')
        .next()
        .and_then(|i| i.rsplit_once(':'))
        .map(|(_, tag)| tag)
        .filter(|tag| !tag.contains('/'))
        .unwrap_or_default();
    (path.starts_with("distroless/") && !tag.contains("debug"))
        || path == "pause"
        || path.ends_with("/pause")
}

fn last_segment(image: &str) -> &str {
    let path = image_path(image);
    path.rsplit('/').next().unwrap_or(path)
}

/// The kubelet's environment: a default PATH and HOSTNAME, `envFrom` ConfigMaps and Secrets,
/// then `env` (literal values, field references, ConfigMap and Secret keys).
fn environment(pod: &Pod, c: &ContainerView<'_>, config: &PodConfig) -> Vec<(String, String)> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert(
        "PATH".into(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    );
    env.insert("HOSTNAME".into(), pod_name.clone());
    env.insert("HOME".into(), "/root".into());
    for from in c.env_from {
        let prefix = from.prefix.as_deref().unwrap_or_default();
        if let Some(map) = from
            .config_map_ref
            .as_ref()
            .and_then(|r| config.config_map(&namespace, &r.name))
        {
            for (k, v) in map.data.iter().flatten() {
                env.insert(format!("{prefix}{k}"), v.clone());
            }
        }
        if let Some(secret) = from
            .secret_ref
            .as_ref()
            .and_then(|r| config.secret(&namespace, &r.name))
        {
            for (k, v) in PodConfig::secret_values(secret) {
                env.insert(
                    format!("{prefix}{k}"),
                    String::from_utf8_lossy(&v).into_owned(),
                );
            }
        }
    }
    let mut ordered: Vec<(String, String)> = env.into_iter().collect();
    for var in c.env {
        let value = match &var.value_from {
            None => Some(expand_references(
                var.value.as_deref().unwrap_or_default(),
                &ordered,
            )),
            Some(from) => {
                if let Some(field) = &from.field_ref {
                    match field.field_path.as_str() {
                        "metadata.name" => Some(pod_name.clone()),
                        "metadata.namespace" => Some(namespace.clone()),
                        "spec.nodeName" => Some(super::super::pods::NODE.to_string()),
                        "status.podIP" | "status.hostIP" => Some("127.0.0.1".to_string()),
                        _ => None,
                    }
                } else if let Some(key) = &from.config_map_key_ref {
                    config
                        .config_map(&namespace, &key.name)
                        .and_then(|m| m.data.as_ref()?.get(&key.key).cloned())
                } else if let Some(key) = &from.secret_key_ref {
                    config.secret(&namespace, &key.name).and_then(|s| {
                        PodConfig::secret_values(s)
                            .into_iter()
                            .find(|(k, _)| k == &key.key)
                            .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
                    })
                } else {
                    None
                }
            }
        };
        if let Some(value) = value {
            ordered.retain(|(k, _)| k != &var.name);
            ordered.push((var.name.clone(), value));
        }
    }
    ordered
}

/// Kubernetes' `$(VAR)` references in command, args and env values; `$$` escapes a `$`.
fn expand_references(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(end) = inner.find(')')
            && let Some((_, value)) = env.iter().rev().find(|(k, _)| k == &inner[..end])
        {
            out.push_str(value);
            rest = &inner[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manifest::parse_manifests;

    fn plans(yaml: &str) -> Vec<ContainerPlan> {
        let set = parse_manifests(yaml, "test.yaml").unwrap();
        let pod = &set.api_pods[0];
        let spec = pod.spec.as_ref().unwrap();
        let config = PodConfig {
            config_maps: set.config_maps.clone(),
            secrets: Vec::new(),
        };
        spec.containers
            .iter()
            .map(|c| plan(pod, c.into(), &config))
            .collect()
    }

    #[test]
    fn distroless_and_pause_images_have_no_shell() {
        for image in [
            "gcr.io/distroless/static-debian12:nonroot",
            "gcr.io/distroless/base",
            "registry.k8s.io/pause:3.10",
            "pause",
        ] {
            assert!(shell_less(image), "{image}");
        }
        for image in [
            "gcr.io/distroless/base:debug",
            "gcr.io/distroless/static-debian12:debug-nonroot",
            "busybox:1.36",
            "nginx",
            "localhost:5000/pause-tester:1",
        ] {
            assert!(!shell_less(image), "{image}");
        }
    }

    #[test]
    fn shell_images_run_their_args_and_known_images_are_stood_in_for() {
        let counter = plans(include_str!("../../../tests/fixtures/seeds/counter.yaml"));
        assert!(
            matches!(&counter[0].program, Program::Real(argv) if argv[0] == "/bin/sh" && argv[1] == "-c")
        );
        assert!(
            matches!(&counter[1].program, Program::StandIn { product, .. } if product == "fluentd")
        );
        assert_eq!(counter[1].mounts[0].mount_path, "/var/log");
        let yellow = plans(include_str!("../../../tests/fixtures/seeds/yellow.yaml"));
        assert_eq!(
            yellow[0].program,
            Program::Real(vec!["sleep".into(), "1000".into()])
        );
        assert!(
            matches!(&yellow[1].program, Program::StandIn { product, .. } if product == "redis")
        );
        let webapp = plans(include_str!(
            "../../../tests/fixtures/seeds/simple-webapp.yaml"
        ));
        assert!(
            matches!(&webapp[1].program, Program::StandIn { product, .. } if product == "log-agent")
        );
    }

    #[test]
    fn environment_resolves_values_fields_and_config_maps() {
        let yaml = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {MODE: fast}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo $(GREETING) $$(HOME)"]
    env:
    - {name: GREETING, value: "hi $(POD)"}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MODE, valueFrom: {configMapKeyRef: {name: settings, key: MODE}}}
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
"#;
        let plan = &plans(yaml)[0];
        let get = |k: &str| {
            plan.env
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("POD"), Some("p"));
        assert_eq!(get("MODE"), Some("fast"));
        assert_eq!(get("PASSWORD"), None);
        assert_eq!(get("HOSTNAME"), Some("p"));
        // GREETING was defined before POD, so `$(POD)` stays as written, as in Kubernetes.
        assert_eq!(get("GREETING"), Some("hi $(POD)"));
        assert_eq!(plan.program.argv()[2], "echo hi $(POD) $(HOME)");
    }

    #[test]
    fn secret_keys_and_env_from_secrets_are_resolved_as_the_kubelet_does() {
        let set = parse_manifests(
            r#"
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: default}
spec:
  containers:
  - name: app
    image: busybox
    envFrom: [{secretRef: {name: db}, prefix: DB_}]
    env:
    - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
    - {name: MISSING, valueFrom: {secretKeyRef: {name: other, key: password}}}
"#,
            "test.yaml",
        )
        .unwrap();
        let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(
            serde_json::json!({"metadata": {"name": "db", "namespace": "default"},
                "data": {"password": "czNjcjN0"}, "stringData": {"user": "admin"}}),
        )
        .unwrap();
        let config = PodConfig {
            config_maps: Vec::new(),
            secrets: vec![secret],
        };
        let pod = &set.api_pods[0];
        let c = &pod.spec.as_ref().unwrap().containers[0];
        let plan = plan(pod, c.into(), &config);
        let get = |k: &str| {
            plan.env
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("PASSWORD"), Some("s3cr3t"));
        assert_eq!(get("DB_password"), Some("s3cr3t"));
        assert_eq!(get("DB_user"), Some("admin"));
        assert_eq!(get("MISSING"), None);
    }
}
