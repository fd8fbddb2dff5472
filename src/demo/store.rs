//! The demo cluster's pod store: the objects, a resourceVersion counter, a bounded history of
//! changes (so a watch can resume from a resourceVersion, or be told 410 Expired), and a
//! broadcast to live watchers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use tokio::sync::broadcast;

/// How many past changes a watch can resume from.
const HISTORY: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Added,
    Modified,
    Deleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Added => "ADDED",
            EventKind::Modified => "MODIFIED",
            EventKind::Deleted => "DELETED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PodEvent {
    pub kind: EventKind,
    pub rv: u64,
    pub pod: Arc<Pod>,
}

pub struct PodStore {
    pods: BTreeMap<(String, String), Arc<Pod>>,
    rv: u64,
    history: VecDeque<PodEvent>,
    tx: broadcast::Sender<PodEvent>,
}

/// What a watch starting now gets: the past it must replay, and the live feed after it.
pub struct WatchStart {
    pub replay: Vec<PodEvent>,
    pub live: broadcast::Receiver<PodEvent>,
}

/// The resourceVersion asked for is older than the history kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub requested: u64,
    pub oldest: u64,
}

impl Default for PodStore {
    fn default() -> Self {
        PodStore {
            pods: BTreeMap::new(),
            rv: 1000,
            history: VecDeque::new(),
            tx: broadcast::channel(4096).0,
        }
    }
}

impl PodStore {
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<Pod>> {
        self.pods
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// Pods in `namespace` (all when `None`), ordered by namespace then name.
    pub fn list(&self, namespace: Option<&str>) -> Vec<Arc<Pod>> {
        self.pods
            .iter()
            .filter(|((ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, p)| p.clone())
            .collect()
    }

    pub fn namespaces(&self) -> Vec<String> {
        let mut out: Vec<String> = self.pods.keys().map(|(ns, _)| ns.clone()).collect();
        out.extend(["default".to_string(), "kube-system".to_string()]);
        out.sort();
        out.dedup();
        out
    }

    /// Insert or replace a pod, stamping a new resourceVersion. Returns that version.
    pub fn put(&mut self, mut pod: Pod) -> u64 {
        self.rv += 1;
        pod.metadata.resource_version = Some(self.rv.to_string());
        let key = (
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
        );
        let pod = Arc::new(pod);
        let kind = if self.pods.insert(key, pod.clone()).is_some() {
            EventKind::Modified
        } else {
            EventKind::Added
        };
        self.record(PodEvent {
            kind,
            rv: self.rv,
            pod,
        });
        self.rv
    }

    /// Change a pod in place; `None` when it does not exist.
    pub fn update(
        &mut self,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut Pod),
    ) -> Option<u64> {
        let mut pod = (*self.get(namespace, name)?).clone();
        change(&mut pod);
        Some(self.put(pod))
    }

    pub fn delete(&mut self, namespace: &str, name: &str) -> Option<Arc<Pod>> {
        let old = self
            .pods
            .remove(&(namespace.to_string(), name.to_string()))?;
        self.rv += 1;
        let mut last = (*old).clone();
        last.metadata.resource_version = Some(self.rv.to_string());
        let pod = Arc::new(last);
        self.record(PodEvent {
            kind: EventKind::Deleted,
            rv: self.rv,
            pod: pod.clone(),
        });
        Some(pod)
    }

    fn record(&mut self, event: PodEvent) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Start a watch at resourceVersion `from`: every change after it, then live changes.
    pub fn watch_from(&self, from: u64) -> Result<WatchStart, Expired> {
        let oldest = self.history.front().map_or(self.rv, |e| e.rv - 1);
        if from < oldest {
            return Err(Expired {
                requested: from,
                oldest,
            });
        }
        Ok(WatchStart {
            replay: self
                .history
                .iter()
                .filter(|e| e.rv > from)
                .cloned()
                .collect(),
            live: self.tx.subscribe(),
        })
    }

    /// Start a watch with synthetic ADDED events for everything that exists now.
    pub fn watch_all(&self) -> WatchStart {
        WatchStart {
            replay: self
                .pods
                .values()
                .map(|p| PodEvent {
                    kind: EventKind::Added,
                    rv: p
                        .metadata
                        .resource_version
                        .as_deref()
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(self.rv),
                    pod: p.clone(),
                })
                .collect(),
            live: self.tx.subscribe(),
        }
    }
}
