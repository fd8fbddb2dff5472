//! What podscope knows about the software people deploy, kept as data (`software.rs`) and the
//! words of container names (`names.rs`).
//!
//! Software is recognised three ways, because each survives where the others do not:
//! - the image repository's **last path segment** (or last few, for a pattern with `/`),
//!   whatever the registry and organisation, so mirrors and private registries still match;
//! - the **container name** an injector, operator or chart fixes (`istio-proxy`,
//!   `config-reloader`), which stays when an image is pinned by digest from a release
//!   repository whose name says nothing;
//! - the **program** the container runs (`/usr/bin/csi-provisioner`, `thanos sidecar`).
//!
//! Order matters in [`SOFTWARE`]: the first entry that matches wins, so specific patterns
//! (`*nginx*exporter*`) come before general ones (`nginx`).

mod names;
mod software;

pub use names::{NAME_HINTS, NameHint, PROXY_WORDS, name_hints, named_as_proxy};
pub use software::SOFTWARE;

use super::{ContainerRole, Toward};
use crate::model::glob::glob_match;
use crate::model::pod::Container;

/// What kind of software a well-known image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    LogShipper,
    MeshProxy,
    SecretAgent,
    ConfigReloader,
    /// Renders config files from a secret or config store (consul-template, confd).
    ConfigTemplater,
    ContentSync,
    /// Backs up or archives the database beside it (wal-g, pgBackRest).
    BackupAgent,
    TelemetryAgent,
    /// A helper the Kubernetes CSI project ships to run beside a storage driver.
    StorageHelper,
    /// Watches over, resizes or health-checks the daemon beside it (addon-resizer).
    Babysitter,
    /// A reverse proxy in front of the app's own port (auth, RBAC, TLS, DNS cache): a sidecar.
    InboundProxy,
    /// A general-purpose proxy (envoy, haproxy, socat): in front of another container's port
    /// it is a sidecar, on its own it is the workload.
    GeneralProxy,
    /// A debugging or tooling container kept beside the app.
    DebugTool,
    /// A policy engine the app or its proxy asks before answering (OPA, an ext_authz server).
    PolicyAgent,
    /// A VPN or tunnel client that carries the pod's traffic (Tailscale, gluetun, cloudflared).
    NetworkTunnel,
    MetricsExporter,
    /// Scrapes the app's metrics endpoint and republishes it to a monitoring service.
    MetricsForwarder,
    /// A proxy the app reaches through localhost to get to something outside the pod.
    OutboundProxy,
    WebServer,
    Datastore,
    /// A well-known server that is a workload in its own right (Prometheus, Grafana, CoreDNS,
    /// a CNI or storage driver).
    Application,
    /// The control plane of a proxy in the same pod (Contour beside its Envoy): both are the
    /// workload, the proxy does not front it.
    ControlPlane,
    /// A language runtime image (php-fpm, python, node...): it runs application code.
    AppRuntime,
    /// busybox, alpine, ubuntu, a CLI image...: what it does depends on its command.
    BaseImage,
}

impl ImageKind {
    pub fn phrase(self) -> &'static str {
        match self {
            ImageKind::LogShipper => "a log shipper",
            ImageKind::MeshProxy => {
                "a service-mesh proxy (it intercepts the pod's traffic both ways)"
            }
            ImageKind::SecretAgent => "a secrets agent",
            ImageKind::ConfigReloader => "a config reloader",
            ImageKind::ConfigTemplater => "a config templater (it renders files for the app)",
            ImageKind::ContentSync => "a content syncer",
            ImageKind::BackupAgent => "a backup agent",
            ImageKind::TelemetryAgent => "a telemetry agent",
            ImageKind::StorageHelper => "a CSI sidecar, run beside a storage driver",
            ImageKind::Babysitter => "a helper that watches over the container beside it",
            ImageKind::InboundProxy => "an inbound proxy (it fronts the app's own port)",
            ImageKind::GeneralProxy => {
                "a general-purpose proxy (what it stands in front of decides its role)"
            }
            ImageKind::DebugTool => "a debugging tool kept beside the app",
            ImageKind::PolicyAgent => {
                "a policy engine (the app or its proxy asks it before answering)"
            }
            ImageKind::NetworkTunnel => "a VPN or tunnel client that carries the pod's traffic",
            ImageKind::MetricsExporter => "a Prometheus exporter",
            ImageKind::MetricsForwarder => {
                "a metrics forwarder (it republishes the app's metrics elsewhere)"
            }
            ImageKind::OutboundProxy => {
                "an outbound proxy (the app reaches an outside service through it)"
            }
            ImageKind::WebServer => "a web server",
            ImageKind::Datastore => "a database, cache or message broker",
            ImageKind::Application => "a server that is a workload of its own",
            ImageKind::ControlPlane => "the control plane of the proxy beside it",
            ImageKind::AppRuntime => "a language runtime, so it runs application code",
            ImageKind::BaseImage => {
                "a general-purpose base image, so its command decides what it does"
            }
        }
    }

    /// Which way this kind of software pulls the role, before any structural evidence.
    pub fn leaning(self) -> Option<Toward> {
        match self {
            ImageKind::LogShipper
            | ImageKind::MeshProxy
            | ImageKind::SecretAgent
            | ImageKind::ConfigReloader
            | ImageKind::ConfigTemplater
            | ImageKind::ContentSync
            | ImageKind::BackupAgent
            | ImageKind::TelemetryAgent
            | ImageKind::StorageHelper
            | ImageKind::Babysitter
            | ImageKind::InboundProxy
            | ImageKind::GeneralProxy
            | ImageKind::DebugTool
            | ImageKind::PolicyAgent
            | ImageKind::NetworkTunnel => Some(Toward::Helper(ContainerRole::Sidecar)),
            ImageKind::MetricsExporter | ImageKind::MetricsForwarder => {
                Some(Toward::Helper(ContainerRole::Adapter))
            }
            ImageKind::OutboundProxy => Some(Toward::Helper(ContainerRole::Ambassador)),
            ImageKind::WebServer
            | ImageKind::Datastore
            | ImageKind::Application
            | ImageKind::ControlPlane
            | ImageKind::AppRuntime => Some(Toward::Main),
            ImageKind::BaseImage => None,
        }
    }

    /// Whether a container of this kind serves traffic of its own.
    pub fn serves(self) -> bool {
        matches!(
            self,
            ImageKind::WebServer
                | ImageKind::Datastore
                | ImageKind::AppRuntime
                | ImageKind::Application
                | ImageKind::ControlPlane
        )
    }

    /// A proxy that stands in front of another container's port.
    pub fn fronts(self) -> bool {
        matches!(
            self,
            ImageKind::InboundProxy
                | ImageKind::MeshProxy
                | ImageKind::WebServer
                | ImageKind::GeneralProxy
        )
    }

    /// Knowledge too general to outweigh a container's position: what it is tells little
    /// about what it does in this pod.
    pub fn is_general(self) -> bool {
        matches!(
            self,
            ImageKind::GeneralProxy | ImageKind::AppRuntime | ImageKind::WebServer
        )
    }
}

/// One piece of well-known software and the ways to recognise it.
pub struct Software {
    /// The product's usual name, used in evidence ("image fluentd is a log shipper").
    pub product: &'static str,
    pub kind: ImageKind,
    /// Globs over the image repository's last path segment; a pattern with `/` is matched
    /// against as many trailing segments as it has.
    pub images: &'static [&'static str],
    /// Container names the software's injector, operator or chart gives it.
    pub names: &'static [&'static str],
    /// Programs it runs as: `argv[0]`'s file name, or that and the first argument
    /// (`thanos sidecar`).
    pub programs: &'static [&'static str],
}

/// How a container was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recognised {
    Image,
    Program,
    Name,
    /// A word of the container's name is the product's image name (`fluentd-agent`): people
    /// name a container after what it runs, when the image (a private mirror, a digest) no
    /// longer says.
    NameWord,
}

/// The image path without registry host, tag or digest, and without Docker Hub's `library/`:
/// `k8s.gcr.io/fluentd-gcp:1.30` → `fluentd-gcp`.
pub fn image_path(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let mut path = image;
    if let Some((first, rest)) = image.split_once('/')
        && (first.contains('.') || first.contains(':') || first == "localhost")
    {
        path = rest;
    }
    // A tag is a `:` after the last `/`.
    let last_slash = path.rfind('/').map_or(0, |i| i + 1);
    if let Some(colon) = path[last_slash..].find(':') {
        path = &path[..last_slash + colon];
    }
    path.strip_prefix("library/").unwrap_or(path)
}

/// The last `n` `/`-separated segments of `path` (all of them when it has fewer).
fn tail_segments(path: &str, n: usize) -> &str {
    let mut start = path.len();
    for _ in 0..n {
        match path[..start].rfind('/') {
            Some(i) => start = i,
            None => return path,
        }
    }
    &path[start + 1..]
}

fn image_matches(pattern: &str, path: &str) -> bool {
    let segments = pattern.matches('/').count() + 1;
    glob_match(pattern, tail_segments(path, segments))
}

/// The software an image is, by its repository's name.
pub fn known_image(image: &str) -> Option<&'static Software> {
    let path = image_path(image);
    SOFTWARE
        .iter()
        .find(|s| s.images.iter().any(|p| image_matches(p, path)))
}

/// The software a container name is fixed to.
pub fn known_name(name: &str) -> Option<&'static Software> {
    SOFTWARE
        .iter()
        .find(|s| s.names.iter().any(|p| glob_match(p, name)))
}

/// Words that say nothing of what a container does, beside a product's name in it
/// (`fluentd-agent`, `nginx-container`).
const FILLER_WORDS: &[&str] = &[
    "agent",
    "container",
    "ctr",
    "server",
    "daemon",
    "svc",
    "service",
    "instance",
    "main",
    "pod",
];

/// The product a container's name names by its image name, when the rest of the name is only
/// filler (`fluentd-agent` runs fluentd; `pgbouncer-config` configures it, so it says
/// nothing of what runs), with the word.
pub fn known_name_word(name: &str) -> Option<(&'static Software, String)> {
    let words: Vec<String> = name
        .split(['-', '_', '.'])
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_ascii_lowercase)
        .collect();
    let filler = |w: &String| FILLER_WORDS.contains(&w.as_str());
    let [product] = words.iter().filter(|w| !filler(w)).collect::<Vec<_>>()[..] else {
        return None;
    };
    if product.len() < 4 {
        return None;
    }
    SOFTWARE
        .iter()
        .filter(|s| s.kind != ImageKind::BaseImage)
        .find(|s| {
            s.images
                .iter()
                .any(|i| !i.contains('/') && glob_match(i, product))
        })
        .map(|s| (s, product.clone()))
}

/// The programs a container runs: `argv[0]`'s file name, for `sh -c SCRIPT` the first word of
/// each command of the script, each with the argument that follows it. With no command, the
/// image's entrypoint runs: its name stands for the program and the first arg for what follows
/// (`thanos` with args `[sidecar, ...]`).
pub fn programs(c: &Container) -> Vec<(String, Option<String>)> {
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    if c.command.is_empty() {
        let Some(image) = c.image.as_deref() else {
            return Vec::new();
        };
        return vec![(last_segment(Some(image)), c.args.first().cloned())];
    }
    let argv: Vec<&str> = c.argv().collect();
    let shell = argv.first().is_some_and(|a| {
        matches!(
            base(a).as_str(),
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
        )
    });
    if !shell {
        return argv
            .first()
            .map(|a| (base(a), argv.get(1).map(|s| s.to_string())))
            .into_iter()
            .collect();
    }
    let script = super::signals::program_text(c);
    super::signals::script_commands(&script)
        .into_iter()
        .map(|words| {
            let first = words.first().map(|w| base(w)).unwrap_or_default();
            (first, words.get(1).map(|s| s.to_string()))
        })
        .filter(|(p, _)| !p.is_empty())
        .collect()
}

/// The software a container runs, by its programs; `subcommands` picks the patterns with a
/// subcommand (`thanos sidecar`) or those without.
fn known_program(c: &Container, subcommands: bool) -> Option<(&'static Software, String)> {
    for (program, arg) in programs(c) {
        let with_arg = arg.as_deref().map(|a| format!("{program} {a}"));
        for s in SOFTWARE {
            for p in s.programs.iter().filter(|p| p.contains(' ') == subcommands) {
                let text = if subcommands {
                    with_arg.as_deref()
                } else {
                    Some(program.as_str())
                };
                if let Some(text) = text.filter(|t| glob_match(p, t)) {
                    return Some((s, text.to_string()));
                }
            }
        }
    }
    None
}

/// What a container is, by the strongest of the ways: a program with its subcommand (the
/// same image can be a server or its sidecar), its image unless that is only a base image,
/// the program it runs, then its name.
pub fn recognise(c: &Container) -> Option<(&'static Software, Recognised, String)> {
    if let Some((s, program)) = known_program(c, true) {
        return Some((s, Recognised::Program, program));
    }
    let by_image = c
        .image
        .as_deref()
        .and_then(known_image)
        .filter(|s| !runs_a_script_instead(c, s));
    let by_name = known_name(&c.name);
    // One server image often runs its own helper too (Redis and Sentinel, Thanos and its
    // sidecar): a helper's fixed name beside an application's image says which it is here.
    if let (Some(image), Some(name)) = (by_image, by_name)
        && image.kind.leaning() == Some(Toward::Main)
        && matches!(name.kind.leaning(), Some(Toward::Helper(_)))
    {
        return Some((name, Recognised::Name, c.name.clone()));
    }
    if let Some(s) = by_image.filter(|s| s.kind != ImageKind::BaseImage) {
        return Some((s, Recognised::Image, last_segment(c.image.as_deref())));
    }
    if let Some((s, program)) = known_program(c, false)
        .filter(|(s, _)| s.kind != ImageKind::BaseImage)
        // With no command the "program" is the image's own name, already looked up.
        .filter(|_| !c.command.is_empty())
    {
        return Some((s, Recognised::Program, program));
    }
    if let Some(s) = by_name {
        return Some((s, Recognised::Name, c.name.clone()));
    }
    if let Some(s) = by_image {
        return Some((s, Recognised::Image, last_segment(c.image.as_deref())));
    }
    known_name_word(&c.name).map(|(s, word)| (s, Recognised::NameWord, word))
}

/// A server's image whose command is a shell script that never starts the server (a Redis
/// image running a split-brain fixer, say) is used as a toolbox: the image says nothing of
/// what the container does.
fn runs_a_script_instead(c: &Container, s: &Software) -> bool {
    if !matches!(
        s.kind,
        ImageKind::Datastore | ImageKind::WebServer | ImageKind::Application
    ) || c.command.is_empty()
    {
        return false;
    }
    let shell = c.command.first().is_some_and(|a| {
        matches!(
            a.rsplit('/').next().unwrap_or(a),
            "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"
        )
    });
    shell
        && !programs(c).iter().any(|(program, _)| {
            s.programs.iter().any(|p| glob_match(p, program))
                || s.images
                    .iter()
                    .any(|i| !i.contains('/') && glob_match(i, program))
        })
}

fn last_segment(image: Option<&str>) -> String {
    let path = image.map(image_path).unwrap_or_default();
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[cfg(test)]
mod tests;
