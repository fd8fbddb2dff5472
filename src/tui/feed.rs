//! Where pods come from while the TUI runs: a watch on a cluster (re-created when the
//! namespace or the context changes) or nothing at all for manifest files.

use std::sync::Arc;

use tokio::sync::watch;

use crate::cluster::{self, Connection, PodWatch, Target, WatchReport, WatchStatus};
use crate::logging::log;
use crate::model::RoleRule;
use crate::state::{self, Msg, Scope, Source};

pub enum Feed {
    Files,
    Cluster(Box<ClusterFeed>),
}

pub struct ClusterFeed {
    pub connection: Connection,
    pub target: Target,
    pub rules: Arc<Vec<RoleRule>>,
    watch: Option<PodWatch>,
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
        self.watch = Some(cluster::watch::spawn(
            self.connection.client.clone(),
            namespace,
            self.rules.clone(),
        ));
    }

    /// Connect with another context; on success the old watch stops.
    pub async fn switch_context(&mut self, name: &str) -> Result<Source, String> {
        let target = Target {
            kubeconfig: self.target.kubeconfig.clone(),
            context: Some(name.to_string()),
        };
        let connection = cluster::connect(&target).await.map_err(|e| e.to_string())?;
        self.watch = None;
        self.connection = connection;
        self.target = target;
        Ok(self.source())
    }

    pub fn reports(&mut self) -> Option<&mut watch::Receiver<WatchReport>> {
        self.watch.as_mut().map(|w| &mut w.reports)
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
                WatchStatus::Synced => Msg::Connection(state::Connection::Synced),
                WatchStatus::Reconnecting { reason, attempt } => {
                    Msg::Connection(state::Connection::Reconnecting { reason, attempt })
                }
                WatchStatus::ForbiddenAllNamespaces { reason } => {
                    Msg::ForbiddenAllNamespaces { reason }
                }
            });
        }
        msgs
    }
}
