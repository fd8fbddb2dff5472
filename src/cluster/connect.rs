//! Connecting to a cluster: find the kubeconfig the way kubectl does (`--kubeconfig`, then
//! `KUBECONFIG`, then `~/.kube/config`, then the in-cluster service account), pick the
//! context, and build a client. Building a client contacts nothing; the watch does.

use std::fmt;
use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

/// A client and what the screen says about it.
#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    /// The context in use (`None` in a pod, with the service account).
    pub context: Option<String>,
    pub server: String,
    /// The context's namespace (or `default`).
    pub namespace: String,
    /// Every context in the kubeconfig, for `:ctx`.
    pub contexts: Vec<String>,
}

#[derive(Debug)]
pub enum ConnectError {
    /// No kubeconfig anywhere and not in a pod.
    NoKubeconfig { tried: Vec<PathBuf> },
    /// The kubeconfig could not be read or does not hold what is needed.
    Kubeconfig { path: String, message: String },
    UnknownContext {
        name: String,
        /// The kubeconfig file(s) read.
        path: String,
        known: Vec<String>,
        /// Named by `--context` (the user's input), not by the kubeconfig's current-context.
        asked: bool,
    },
}

impl ConnectError {
    /// Whether the command line is at fault (a context that does not exist was asked for),
    /// rather than the environment (no kubeconfig, a broken one, a current-context that names
    /// nothing).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ConnectError::UnknownContext { asked: true, .. })
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::NoKubeconfig { tried } => {
                let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "no kubeconfig found (tried {}) and not running in a pod; point --kubeconfig at one, or try the built-in demo cluster: podscope demo",
                    tried.join(", ")
                )
            }
            ConnectError::Kubeconfig { path, message } => {
                write!(f, "cannot use the kubeconfig {path}: {message}")
            }
            ConnectError::UnknownContext {
                name,
                path,
                known,
                asked,
            } => {
                let from = if *asked { "" } else { " (its current-context)" };
                write!(
                    f,
                    "no context {name:?} in the kubeconfig {path}{from}; its contexts: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            }
        }
    }
}

impl std::error::Error for ConnectError {}

/// The kubeconfig files kubectl would read, in order, and whether `KUBECONFIG` named them.
fn kubeconfig_paths(target: &Target) -> Vec<PathBuf> {
    if let Some(p) = &target.kubeconfig {
        return vec![p.clone()];
    }
    if let Some(value) = std::env::var_os("KUBECONFIG") {
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| !p.as_os_str().is_empty())
            .collect();
        if !paths.is_empty() {
            return paths;
        }
    }
    match std::env::var_os("HOME") {
        Some(home) => vec![Path::new(&home).join(".kube").join("config")],
        None => Vec::new(),
    }
}

fn in_a_pod() -> bool {
    std::env::var_os("KUBERNETES_SERVICE_HOST").is_some()
        && Path::new("/var/run/secrets/kubernetes.io/serviceaccount/token").exists()
}

/// Build a client for `target`.
pub async fn connect(target: &Target) -> Result<Connection, ConnectError> {
    let paths = kubeconfig_paths(target);
    let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.exists()).collect();
    if existing.is_empty() {
        if target.kubeconfig.is_none() && target.context.is_none() && in_a_pod() {
            return in_cluster();
        }
        return Err(ConnectError::NoKubeconfig { tried: paths });
    }
    let shown = existing
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":");
    let fail = |message: String| ConnectError::Kubeconfig {
        path: shown.clone(),
        message,
    };
    let mut merged = Kubeconfig::default();
    for path in &existing {
        let one = Kubeconfig::read_from(path).map_err(|e| fail(e.to_string()))?;
        merged = merged.merge(one).map_err(|e| fail(e.to_string()))?;
    }
    let contexts: Vec<String> = merged.contexts.iter().map(|c| c.name.clone()).collect();
    let context = target
        .context
        .clone()
        .or_else(|| merged.current_context.clone())
        .filter(|c| !c.is_empty());
    match &context {
        Some(name) if !contexts.contains(name) => {
            return Err(ConnectError::UnknownContext {
                name: name.clone(),
                path: shown,
                known: contexts,
                asked: target.context.is_some(),
            });
        }
        None => {
            return Err(fail(
                "it sets no current-context; choose one with --context".to_string(),
            ));
        }
        Some(_) => {}
    }
    let options = KubeConfigOptions {
        context: context.clone(),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(merged, &options)
        .await
        .map_err(|e| fail(e.to_string()))?;
    finish(config, context, contexts).map_err(fail)
}

fn in_cluster() -> Result<Connection, ConnectError> {
    let config = Config::incluster().map_err(|e| ConnectError::Kubeconfig {
        path: "the pod's service account".to_string(),
        message: e.to_string(),
    })?;
    finish(config, None, Vec::new()).map_err(|message| ConnectError::Kubeconfig {
        path: "the pod's service account".to_string(),
        message,
    })
}

fn finish(
    mut config: Config,
    context: Option<String>,
    contexts: Vec<String>,
) -> Result<Connection, String> {
    // kube sends no User-Agent; say who is asking, as kubectl does (`kubectl/v1.32.4`), so
    // the API server's logs and metrics can tell podscope's requests apart.
    config.headers.push((
        hyper::header::USER_AGENT,
        hyper::header::HeaderValue::from_static(concat!("podscope/", env!("CARGO_PKG_VERSION"))),
    ));
    let server = config.cluster_url.to_string();
    let namespace = config.default_namespace.clone();
    // kube retries 429, 503 and 504 itself, up to 15 times over minutes: the screen would say
    // "synced" all that while. A few quick retries (after the server's Retry-After, when it
    // gives one) and then the error, which the watch shows and backs off from.
    config.default_retry = false;
    let retry = kube::client::retry::RetryPolicy::new(
        std::time::Duration::from_millis(500),
        std::time::Duration::from_secs(5),
        3,
        true,
    )
    .map_err(|e| e.to_string())?;
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| e.to_string())?
        // Retrying calls the service again: the buffer makes it shareable.
        .with_layer(
            &tower::ServiceBuilder::new()
                .layer(tower::retry::RetryLayer::new(retry))
                .layer(tower::buffer::BufferLayer::new(1024))
                .into_inner(),
        )
        .build();
    Ok(Connection {
        client,
        context,
        server: server.trim_end_matches('/').to_string(),
        namespace,
        contexts,
    })
}
