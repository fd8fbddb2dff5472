//! Where pods come from while the TUI runs: a watch on a cluster (re-created when the
//! namespace or the context changes) or nothing at all for manifest files.

use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cluster::debug::DebugSpec;
use crate::cluster::logs::{self, LogEvent, LogSpec, LogStreams};
use crate::cluster::pod_events::{self, PodEventsWatch};
use crate::cluster::{self, Connection, PodWatch, Target, WatchReport, WatchStatus};
use crate::logging::log;
use crate::model::RoleRule;
use crate::state::{self, DebugRequest, LogRequest, LogUpdate, Msg, Scope, Source};

pub enum Feed {
    Files,
    Cluster(Box<ClusterFeed>),
}

pub struct ClusterFeed {
    pub connection: Connection,
    pub target: Target,
    pub rules: Arc<Vec<RoleRule>>,
    watch: Option<PodWatch>,
    metrics: Option<cluster::metrics::MetricsWatch>,
    last_pods: Option<state::PodSet>,
    last_status: Option<WatchStatus>,
}

impl ClusterFeed {
    pub fn new(connection: Connection, target: Target, rules: Arc<Vec<RoleRule>>) -> ClusterFeed {
        ClusterFeed {
            connection,
            target,
            rules,
            watch: None,
            metrics: None,
            last_pods: None,
            last_status: None,
        }
    }

    /// What the header shows about this cluster.
    pub fn source(&self) -> Source {
        Source::Cluster {
            context: self.connection.context.clone(),
            server: self.connection.server.clone(),
            contexts: self.connection.contexts.clone(),
            home_namespace: self.connection.namespace.clone(),
        }
    }

    /// (Re)start the watch for `scope`.
    pub fn watch(&mut self, scope: &Scope) {
        let namespace = match scope {
            Scope::All => None,
            Scope::Namespace(ns) => Some(ns.clone()),
        };
        log(&format!(
            "watching pods in {} on {} ({})",
            namespace.as_deref().unwrap_or("all namespaces"),
            self.connection.server,
            self.connection.context.as_deref().unwrap_or("in-cluster")
        ));
        self.watch = None;
        self.last_pods = None;
        self.last_status = None;
        self.metrics = None;
        self.watch = Some(cluster::watch::spawn(
            self.connection.client.clone(),
            namespace,
            self.rules.clone(),
        ));
    }

    /// Poll the metrics API for `namespace` while a pod there is open: only the pod view
    /// shows usage, and a metrics API cannot be watched, so the pod list costs no request.
    pub fn watch_usage(&mut self, namespace: &str) {
        self.metrics = Some(cluster::metrics::spawn(
            self.connection.client.clone(),
            Some(namespace.to_string()),
        ));
    }

    pub fn stop_usage(&mut self) {
        self.metrics = None;
    }

    /// The pod watch's and the metrics poller's channels, to wait on both at once.
    pub fn channels(
        &mut self,
    ) -> (
        Option<&mut watch::Receiver<WatchReport>>,
        Option<&mut cluster::metrics::MetricsWatch>,
    ) {
        (
            self.watch.as_mut().map(|w| &mut w.reports),
            self.metrics.as_mut(),
        )
    }

    /// The metrics API's next report, as a message.
    pub async fn usage(m: &mut cluster::metrics::MetricsWatch) -> Msg {
        if m.reports.changed().await.is_err() {
            return std::future::pending().await;
        }
        let report = m.reports.borrow_and_update().clone();
        Msg::Usage {
            usage: report.usage,
            status: report.status,
        }
    }

    /// Connect with another context; on success the old watch stops.
    pub async fn switch_context(&mut self, name: &str) -> Result<Source, String> {
        let target = Target {
            kubeconfig: self.target.kubeconfig.clone(),
            context: Some(name.to_string()),
        };
        let connection = cluster::connect(&target).await.map_err(|e| e.to_string())?;
        self.watch = None;
        self.metrics = None;
        self.connection = connection;
        self.target = target;
        Ok(self.source())
    }

    pub fn client(&self) -> &kube::Client {
        &self.connection.client
    }

    /// The watch task ended (it stops itself only when listing all namespaces is refused).
    pub fn ended(&mut self) {
        self.watch = None;
    }

    /// Messages for what changed since the last report read.
    pub fn read_report(&mut self) -> Vec<Msg> {
        let Some(watch) = self.watch.as_mut() else {
            return Vec::new();
        };
        let report = watch.reports.borrow_and_update().clone();
        let mut msgs = Vec::new();
        if self
            .last_pods
            .as_ref()
            .is_none_or(|p| !Arc::ptr_eq(p, &report.pods))
        {
            self.last_pods = Some(report.pods.clone());
            msgs.push(Msg::Pods(report.pods));
        }
        if self.last_status.as_ref() != Some(&report.status) {
            log(&format!("watch status: {:?}", report.status));
            self.last_status = Some(report.status.clone());
            msgs.push(match report.status {
                WatchStatus::Connecting => Msg::Connection(state::Connection::Connecting),
                WatchStatus::Syncing { loaded, expected } => {
                    Msg::Connection(state::Connection::Syncing { loaded, expected })
                }
                WatchStatus::Synced => Msg::Connection(state::Connection::Synced),
                WatchStatus::Reconnecting {
                    reason,
                    attempt,
                    since,
                } => Msg::Connection(state::Connection::Reconnecting {
                    reason,
                    attempt,
                    since,
                }),
                WatchStatus::ForbiddenAllNamespaces { reason } => {
                    Msg::ForbiddenAllNamespaces { reason }
                }
            });
        }
        msgs
    }
}

fn log_message(stream: u64, msg: logs::LogMsg) -> Msg {
    let update = match msg.event {
        LogEvent::Lines(lines) => LogUpdate::Lines(lines),
        LogEvent::Restarted(text) => LogUpdate::Restarted(text),
        LogEvent::Note(text) => LogUpdate::Note(text),
        LogEvent::Ended(text) => LogUpdate::Ended(text),
        LogEvent::Failed(f) => LogUpdate::Failed(f.to_string()),
    };
    Msg::Log {
        stream,
        source: msg.source,
        update,
    }
}

/// The log view's streams and the number of the request they answer.
#[derive(Default)]
pub struct LogFeed(Option<(u64, LogStreams)>);

impl LogFeed {
    /// Stream what the log view asks for, replacing what streamed before.
    pub fn start(&mut self, client: &kube::Client, request: &LogRequest) {
        let specs = request
            .containers
            .iter()
            .map(|c| LogSpec {
                namespace: request.namespace.clone(),
                pod: request.pod.clone(),
                container: c.clone(),
                follow: request.follow,
                previous: request.previous,
                stitch_previous: request.stitch_previous,
                tail: request.tail,
                since_seconds: request.since_seconds,
            })
            .collect();
        self.0 = Some((request.stream, logs::spawn(client, specs)));
    }

    pub fn stop(&mut self) {
        self.0 = None;
    }

    /// The next log report as a message; pending while nothing streams.
    pub async fn next(&mut self) -> Msg {
        let Some((stream, streams)) = self.0.as_mut() else {
            return std::future::pending().await;
        };
        let stream = *stream;
        match streams.rx.recv().await {
            Some(msg) => log_message(stream, msg),
            None => {
                self.0 = None;
                std::future::pending().await
            }
        }
    }
}

/// The open pod's events and log tails, while a pod is on screen.
#[derive(Default)]
pub struct PodFeed(Option<(String, String, PodEventsWatch)>);

impl PodFeed {
    /// Watch `namespace`/`name` (nothing changes when it is watched already).
    pub fn start(&mut self, client: &kube::Client, namespace: &str, name: &str) {
        if self
            .0
            .as_ref()
            .is_some_and(|(ns, n, _)| ns == namespace && n == name)
        {
            return;
        }
        let watch = pod_events::spawn(client.clone(), namespace, name);
        self.0 = Some((namespace.to_string(), name.to_string(), watch));
    }

    pub fn stop(&mut self) {
        self.0 = None;
    }

    pub fn fetch_pod(&mut self, client: &kube::Client, namespace: &str, name: &str) {
        self.start(client, namespace, name);
        if let Some((_, _, watch)) = self.0.as_mut() {
            watch.fetch_pod();
        }
    }

    pub fn tail(&mut self, container: &str, previous: bool) {
        if let Some((_, _, watch)) = self.0.as_mut() {
            watch.tail(container, previous, state::pod_details::TAIL_LINES);
        }
    }

    /// The next report as a message; pending while no pod is watched.
    pub async fn next(&mut self) -> Msg {
        let Some((namespace, name, watch)) = self.0.as_mut() else {
            return std::future::pending().await;
        };
        let Some(news) = watch.rx.recv().await else {
            self.0 = None;
            return std::future::pending().await;
        };
        let news = match news {
            pod_events::PodNews::Pod(result) => {
                // Masked and revealed, worked out once here, not on every frame.
                let texts = result.map(|p| {
                    (
                        crate::model::yaml::pod_yaml(&p, false),
                        crate::model::yaml::pod_yaml(&p, true),
                    )
                });
                return Msg::Yaml {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    result: texts,
                };
            }
            pod_events::PodNews::Events(events) => state::pod_details::PodNews::Events(events),
            pod_events::PodNews::LogTail {
                container,
                previous,
                lines,
            } => state::pod_details::PodNews::LogTail {
                container,
                previous,
                lines,
            },
        };
        Msg::PodNews {
            namespace: namespace.clone(),
            name: name.clone(),
            news,
        }
    }
}

/// A debug container being started: the request, and the task that answers with the
/// container's name once it runs.
#[derive(Default)]
pub struct DebugFeed(Option<(DebugRequest, JoinHandle<Result<String, String>>)>);

impl DebugFeed {
    pub fn start(&mut self, client: &kube::Client, request: DebugRequest) {
        let spec = DebugSpec {
            namespace: request.namespace.clone(),
            pod: request.pod.clone(),
            target: request.target.clone(),
            image: request.image.clone(),
            mounts: if request.with_mounts {
                request
                    .mounts
                    .iter()
                    .map(|m| (m.volume.clone(), m.path.clone(), m.read_only))
                    .collect()
            } else {
                Vec::new()
            },
        };
        let client = client.clone();
        let task = tokio::spawn(async move { cluster::debug::start(&client, &spec).await });
        self.0 = Some((request, task));
    }

    /// The debug container runs (its name) or could not start; pending while none starts.
    pub async fn ready(&mut self) -> (DebugRequest, Result<String, String>) {
        let Some((_, task)) = self.0.as_mut() else {
            return std::future::pending().await;
        };
        let result = task
            .await
            .unwrap_or_else(|e| Err(format!("the debug task failed: {e}")));
        let (request, _) = self.0.take().expect("checked above");
        (request, result)
    }
}
