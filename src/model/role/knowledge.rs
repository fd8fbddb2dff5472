//! What podscope knows about well-known images and container names, kept as data.
//!
//! Order matters in `KNOWN_IMAGES`: the first matching pattern wins, so specific patterns
//! (`*nginx*exporter*`) come before general ones (`nginx`). Patterns are globs over the image
//! path without registry, tag or digest (see [`image_path`]).

use super::{ContainerRole, Toward};

/// What kind of software a well-known image is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    LogShipper,
    MeshProxy,
    SecretAgent,
    ConfigReloader,
    ContentSync,
    TelemetryAgent,
    /// A reverse proxy in front of the app's own port (auth, RBAC): a sidecar.
    InboundProxy,
    MetricsExporter,
    /// A proxy the app reaches through localhost to get to something outside the pod.
    OutboundProxy,
    WebServer,
    Datastore,
    /// A language runtime image (php-fpm, python, node...): it runs application code.
    AppRuntime,
    /// busybox, alpine, ubuntu...: what it does depends on its command.
    BaseImage,
}

impl ImageKind {
    pub fn phrase(self) -> &'static str {
        match self {
            ImageKind::LogShipper => "a log shipper",
            ImageKind::MeshProxy => "a service-mesh proxy",
            ImageKind::SecretAgent => "a secrets agent",
            ImageKind::ConfigReloader => "a config reloader",
            ImageKind::ContentSync => "a content syncer",
            ImageKind::TelemetryAgent => "a telemetry agent",
            ImageKind::InboundProxy => "an inbound auth proxy (it fronts the app's own port)",
            ImageKind::MetricsExporter => "a Prometheus exporter",
            ImageKind::OutboundProxy => {
                "an outbound proxy (the app reaches an outside service through it)"
            }
            ImageKind::WebServer => "a web server",
            ImageKind::Datastore => "a database or cache",
            ImageKind::AppRuntime => "a language runtime, so it runs application code",
            ImageKind::BaseImage => {
                "a general-purpose base image, so its command decides what it does"
            }
        }
    }

    /// Which way this kind of image pulls the role, before any structural evidence.
    pub fn leaning(self) -> Option<Toward> {
        match self {
            ImageKind::LogShipper
            | ImageKind::MeshProxy
            | ImageKind::SecretAgent
            | ImageKind::ConfigReloader
            | ImageKind::ContentSync
            | ImageKind::TelemetryAgent
            | ImageKind::InboundProxy => Some(Toward::Helper(ContainerRole::Sidecar)),
            ImageKind::MetricsExporter => Some(Toward::Helper(ContainerRole::Adapter)),
            ImageKind::OutboundProxy => Some(Toward::Helper(ContainerRole::Ambassador)),
            ImageKind::WebServer | ImageKind::Datastore | ImageKind::AppRuntime => {
                Some(Toward::Main)
            }
            ImageKind::BaseImage => None,
        }
    }

    /// Whether a container of this kind serves traffic of its own.
    pub fn serves(self) -> bool {
        matches!(
            self,
            ImageKind::WebServer | ImageKind::Datastore | ImageKind::AppRuntime
        )
    }
}

pub struct KnownImage {
    pub pattern: &'static str,
    /// The product's usual name, used in evidence ("image fluentd is a log shipper").
    /// Empty: use the last segment of the image path.
    pub product: &'static str,
    pub kind: ImageKind,
}

const fn known(pattern: &'static str, product: &'static str, kind: ImageKind) -> KnownImage {
    KnownImage {
        pattern,
        product,
        kind,
    }
}

use ImageKind::*;

pub const KNOWN_IMAGES: &[KnownImage] = &[
    // Exporters first: their paths often contain the name of what they export.
    known(
        "*nginx*exporter*",
        "nginx-prometheus-exporter",
        MetricsExporter,
    ),
    known("*redis*exporter*", "redis_exporter", MetricsExporter),
    known("*statsd*exporter*", "statsd_exporter", MetricsExporter),
    known("*mysqld*exporter*", "mysqld_exporter", MetricsExporter),
    known("*postgres*exporter*", "postgres_exporter", MetricsExporter),
    known("*exporter*", "", MetricsExporter),
    known(
        "*jmx*prometheus*",
        "jmx_prometheus_javaagent",
        MetricsExporter,
    ),
    // Log shippers.
    known("*fluent-bit*", "fluent-bit", LogShipper),
    known("*fluentbit*", "fluent-bit", LogShipper),
    known("*fluentd*", "fluentd", LogShipper),
    known("*filebeat*", "filebeat", LogShipper),
    known("*promtail*", "promtail", LogShipper),
    known("timberio/vector*", "vector", LogShipper),
    known("vector", "vector", LogShipper),
    known("*logstash*", "logstash", LogShipper),
    known("*logspout*", "logspout", LogShipper),
    known("*splunk*forwarder*", "splunk forwarder", LogShipper),
    // Service-mesh data planes.
    known("istio/proxy*", "istio-proxy", MeshProxy),
    known("*linkerd*proxy*", "linkerd-proxy", MeshProxy),
    known("*envoyproxy/envoy*", "envoy", MeshProxy),
    known("envoy*", "envoy", MeshProxy),
    known("*consul-dataplane*", "consul-dataplane", MeshProxy),
    known("*kuma-dp*", "kuma-dp", MeshProxy),
    // Inbound proxies in front of the app: sidecars, not ambassadors.
    known("*oauth2-proxy*", "oauth2-proxy", InboundProxy),
    known("*oauth-proxy*", "oauth-proxy", InboundProxy),
    known("*kube-rbac-proxy*", "kube-rbac-proxy", InboundProxy),
    // Outbound proxies the app reaches through localhost.
    known(
        "*cloudsql-docker/gce-proxy*",
        "cloud-sql-proxy",
        OutboundProxy,
    ),
    known("*cloud-sql-proxy*", "cloud-sql-proxy", OutboundProxy),
    known("*alloydb-auth-proxy*", "alloydb-auth-proxy", OutboundProxy),
    known("*twemproxy*", "twemproxy", OutboundProxy),
    known("*nutcracker*", "twemproxy", OutboundProxy),
    known("*pgbouncer*", "pgbouncer", OutboundProxy),
    known("*proxysql*", "proxysql", OutboundProxy),
    known("*mcrouter*", "mcrouter", OutboundProxy),
    // Other well-known helpers.
    known("*git-sync*", "git-sync", ContentSync),
    known("*configmap-reload*", "configmap-reload", ConfigReloader),
    known("*config-reloader*", "config-reloader", ConfigReloader),
    known("*k8s-sidecar*", "k8s-sidecar", ConfigReloader),
    known("hashicorp/vault*", "vault agent", SecretAgent),
    known("vault", "vault agent", SecretAgent),
    known(
        "*opentelemetry-collector*",
        "opentelemetry-collector",
        TelemetryAgent,
    ),
    known("*jaeger-agent*", "jaeger-agent", TelemetryAgent),
    known("datadog/agent*", "datadog-agent", TelemetryAgent),
    known("*thanos*", "thanos", TelemetryAgent),
    // Applications.
    known("nginx", "nginx", WebServer),
    known("*/nginx", "nginx", WebServer),
    known("*nginx-unprivileged*", "nginx", WebServer),
    known("httpd", "httpd", WebServer),
    known("*/httpd", "httpd", WebServer),
    known("caddy", "caddy", WebServer),
    known("*tomcat*", "tomcat", WebServer),
    known("redis", "redis", Datastore),
    known("*/redis", "redis", Datastore),
    known("*postgres*", "postgres", Datastore),
    known("mysql", "mysql", Datastore),
    known("*/mysql*", "mysql", Datastore),
    known("*mariadb*", "mariadb", Datastore),
    known("*mongo*", "mongodb", Datastore),
    known("memcached", "memcached", Datastore),
    known("*elasticsearch*", "elasticsearch", Datastore),
    known("php*", "php", AppRuntime),
    known("python*", "python", AppRuntime),
    known("node", "node", AppRuntime),
    known("openjdk*", "openjdk", AppRuntime),
    known("eclipse-temurin*", "eclipse-temurin", AppRuntime),
    known("golang*", "golang", AppRuntime),
    known("ruby*", "ruby", AppRuntime),
    // Base images.
    known("busybox*", "busybox", BaseImage),
    known("alpine*", "alpine", BaseImage),
    known("ubuntu*", "ubuntu", BaseImage),
    known("debian*", "debian", BaseImage),
    known("centos*", "centos", BaseImage),
    known("fedora*", "fedora", BaseImage),
    known("curlimages/curl*", "curl", BaseImage),
    known("bash", "bash", BaseImage),
];

/// A hint from one word of a container's name (split at `-`, `_` and `.`).
pub struct NameHint {
    pub word: &'static str,
    pub toward: Toward,
    pub weight: f32,
    pub phrase: &'static str,
}

const fn hint(word: &'static str, toward: Toward, weight: f32, phrase: &'static str) -> NameHint {
    NameHint {
        word,
        toward,
        weight,
        phrase,
    }
}

const SIDECAR: Toward = Toward::Helper(ContainerRole::Sidecar);
const ADAPTER: Toward = Toward::Helper(ContainerRole::Adapter);
const AMBASSADOR: Toward = Toward::Helper(ContainerRole::Ambassador);

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
    hint("agent", SIDECAR, 2.0, "suggests a helper agent"),
    hint("shipper", SIDECAR, 2.0, "suggests a log shipper"),
    hint("forwarder", SIDECAR, 2.0, "suggests a log forwarder"),
    hint("reloader", SIDECAR, 2.0, "suggests a config reloader"),
    hint("sync", SIDECAR, 1.5, "suggests a syncer"),
    hint("proxy", AMBASSADOR, 1.0, "suggests a proxy"),
    hint("app", Toward::Main, 1.0, "suggests the application"),
    hint("main", Toward::Main, 1.0, "suggests the application"),
    hint("web", Toward::Main, 1.0, "suggests the application"),
    hint("webapp", Toward::Main, 1.0, "suggests the application"),
    hint("webserver", Toward::Main, 1.0, "suggests the application"),
    hint("server", Toward::Main, 1.0, "suggests the application"),
    hint("api", Toward::Main, 1.0, "suggests the application"),
    hint("frontend", Toward::Main, 1.0, "suggests the application"),
    hint("backend", Toward::Main, 1.0, "suggests the application"),
];

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

pub fn known_image(image: &str) -> Option<&'static KnownImage> {
    let path = image_path(image);
    KNOWN_IMAGES
        .iter()
        .find(|k| crate::model::glob::glob_match(k.pattern, path))
}

/// Name hints for a container name or an image's last path segment.
pub fn name_hints(name: &str) -> impl Iterator<Item = &'static NameHint> + '_ {
    NAME_HINTS.iter().filter(move |h| {
        name.split(['-', '_', '.', '/'])
            .any(|w| w.eq_ignore_ascii_case(h.word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_paths() {
        assert_eq!(image_path("k8s.gcr.io/fluentd-gcp:1.30"), "fluentd-gcp");
        assert_eq!(image_path("nginx"), "nginx");
        assert_eq!(image_path("docker.io/library/nginx:1.27"), "nginx");
        assert_eq!(image_path("localhost:5000/team/app:v1"), "team/app");
        assert_eq!(image_path("redis@sha256:abc"), "redis");
        assert_eq!(
            image_path("nginx/nginx-prometheus-exporter:0.4.2"),
            "nginx/nginx-prometheus-exporter"
        );
    }

    #[test]
    fn specific_patterns_win() {
        let k = known_image("nginx/nginx-prometheus-exporter:0.4.2").unwrap();
        assert_eq!(k.kind, ImageKind::MetricsExporter);
        assert_eq!(
            known_image("nginx:1.27").unwrap().kind,
            ImageKind::WebServer
        );
        assert_eq!(
            known_image("oliver006/redis_exporter").unwrap().kind,
            ImageKind::MetricsExporter
        );
        assert_eq!(known_image("redis:7").unwrap().kind, ImageKind::Datastore);
        assert_eq!(
            known_image("docker.io/istio/proxyv2:1.22.0").unwrap().kind,
            ImageKind::MeshProxy
        );
        assert!(known_image("simple-webapp").is_none());
    }

    #[test]
    fn name_words() {
        let hints: Vec<_> = name_hints("busybox-sidecar").map(|h| h.word).collect();
        assert_eq!(hints, ["sidecar"]);
        assert_eq!(name_hints("consumer").count(), 0);
        assert_eq!(name_hints("kube-rbac-proxy").next().unwrap().word, "proxy");
    }
}
