//! Words in container names (and image names) that hint at a role. A hint is weak evidence:
//! it never outweighs knowledge of the software or the direction of traffic, and a word such
//! as `proxy` says only that the container is a helper, not which kind.

use crate::model::role::{ContainerRole, Toward};

/// A hint from one word of a container's name (split at `-`, `_`, `.` and `/`).
pub struct NameHint {
    pub word: &'static str,
    pub toward: Option<Toward>,
    pub weight: f32,
    pub phrase: &'static str,
}

const fn hint(
    word: &'static str,
    toward: Option<Toward>,
    weight: f32,
    phrase: &'static str,
) -> NameHint {
    NameHint {
        word,
        toward,
        weight,
        phrase,
    }
}

const SIDECAR: Option<Toward> = Some(Toward::Helper(ContainerRole::Sidecar));
const ADAPTER: Option<Toward> = Some(Toward::Helper(ContainerRole::Adapter));
const AMBASSADOR: Option<Toward> = Some(Toward::Helper(ContainerRole::Ambassador));
/// A helper of some kind: the pattern is left to other evidence.
const HELPER: Option<Toward> = None;
const MAIN: Option<Toward> = Some(Toward::Main);

pub const NAME_HINTS: &[NameHint] = &[
    hint("sidecar", SIDECAR, 2.0, "says sidecar"),
    hint("adapter", ADAPTER, 2.0, "says adapter"),
    hint("ambassador", AMBASSADOR, 2.0, "says ambassador"),
    hint(
        "exporter",
        ADAPTER,
        2.0,
        "says exporter (exporters adapt an app's metrics)",
    ),
    hint("transformer", ADAPTER, 2.0, "suggests a format transformer"),
    hint("transform", ADAPTER, 2.0, "suggests a format transformer"),
    hint("converter", ADAPTER, 2.0, "suggests a format converter"),
    hint("translator", ADAPTER, 2.0, "suggests a translator"),
    hint(
        "metrics",
        ADAPTER,
        1.0,
        "suggests a metrics endpoint for another container",
    ),
    hint("shipper", SIDECAR, 2.0, "suggests a log shipper"),
    hint("forwarder", SIDECAR, 2.0, "suggests a forwarder"),
    hint("reloader", SIDECAR, 2.0, "suggests a config reloader"),
    hint("reload", SIDECAR, 2.0, "suggests a config reloader"),
    hint("sync", SIDECAR, 1.5, "suggests a syncer"),
    hint("syncer", SIDECAR, 1.5, "suggests a syncer"),
    hint("backup", SIDECAR, 2.0, "suggests a backup agent"),
    hint("logs", SIDECAR, 2.0, "suggests a log helper"),
    hint("log", SIDECAR, 2.0, "suggests a log helper"),
    hint("logger", SIDECAR, 2.0, "suggests a log helper"),
    hint("logging", SIDECAR, 2.0, "suggests a log helper"),
    hint("logrotate", SIDECAR, 2.0, "suggests a log rotator"),
    hint("collector", SIDECAR, 1.5, "suggests a collector"),
    hint("monitor", SIDECAR, 1.0, "suggests a monitoring helper"),
    hint("monit", SIDECAR, 1.0, "suggests a monitoring helper"),
    hint("watcher", SIDECAR, 1.0, "suggests a watcher"),
    hint("helper", SIDECAR, 1.5, "says helper"),
    hint(
        "nanny",
        SIDECAR,
        2.0,
        "suggests a nanny that watches over the daemon",
    ),
    hint("registrar", SIDECAR, 2.0, "suggests a registrar"),
    hint("healthz", SIDECAR, 1.5, "suggests a health checker"),
    hint("liveness", HELPER, 1.5, "suggests a health checker"),
    hint(
        "prometheus",
        ADAPTER,
        1.0,
        "suggests it serves metrics for Prometheus",
    ),
    hint("recovery", SIDECAR, 1.5, "suggests a recovery helper"),
    hint("config", SIDECAR, 1.0, "suggests a config helper"),
    hint("cert", SIDECAR, 1.0, "suggests a certificate helper"),
    hint("certs", SIDECAR, 1.0, "suggests a certificate helper"),
    // A regular container called `...-init` keeps doing setup work for another.
    hint(
        "init",
        SIDECAR,
        2.0,
        "suggests setup work for another container",
    ),
    hint("install", SIDECAR, 2.0, "suggests an installer"),
    hint("installer", SIDECAR, 2.0, "suggests an installer"),
    hint("proxy", HELPER, 1.5, "suggests a proxy"),
    hint("authz", SIDECAR, 1.5, "suggests an authorization helper"),
    hint("app", MAIN, 1.0, "suggests the application"),
    hint("main", MAIN, 1.0, "suggests the application"),
    hint("web", MAIN, 1.0, "suggests the application"),
    hint("webapp", MAIN, 1.0, "suggests the application"),
    hint("webserver", MAIN, 1.0, "suggests the application"),
    hint("server", MAIN, 1.0, "suggests the application"),
    hint("api", MAIN, 1.0, "suggests the application"),
    hint("frontend", MAIN, 1.0, "suggests the application"),
    hint("backend", MAIN, 1.0, "suggests the application"),
];

/// Words that make a container a proxy, for the direction of traffic: in front of another
/// container's port it is that container's front.
pub const PROXY_WORDS: &[&str] = &["proxy", "ambassador", "gateway", "forwarder", "tunnel"];

/// Whether a word of the name is one of the [`PROXY_WORDS`] (`metrics-proxy`, `tunnel`).
pub fn named_as_proxy(name: &str) -> bool {
    name.split(['-', '_', '.']).any(|w| {
        let w = w.to_ascii_lowercase();
        // Run together too: `sigv4proxy`, `authproxy`.
        PROXY_WORDS.iter().any(|p| w == *p) || (w.len() > 5 && w.ends_with("proxy"))
    })
}

/// Name hints for a container name or an image's last path segment.
pub fn name_hints(name: &str) -> impl Iterator<Item = &'static NameHint> + '_ {
    NAME_HINTS.iter().filter(move |h| {
        name.split(['-', '_', '.', '/']).any(|w| {
            let w = w.to_ascii_lowercase();
            // A long word also counts run together at the end (`s3sidecar`, `logexporter`).
            w == h.word || (h.word.len() >= 6 && w.len() > h.word.len() && w.ends_with(h.word))
        })
    })
}
