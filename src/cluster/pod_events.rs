//! The open pod's events, watched live with a field selector on the involved object (one
//! watch for the pod on screen, never a list of all events), and the last log lines its
//! findings point at, fetched once per instance they name.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{Event, Pod as ApiPod};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::model::event::{PodEvent, event_from_api, newest_first};

/// What the pod's watch reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PodNews {
    /// Every event of the pod now, newest first.
    Events(Vec<PodEvent>),
    /// The last lines of (container, previous instance?).
    LogTail {
        container: String,
        previous: bool,
        lines: Vec<String>,
    },
    /// The pod as the API server has it (for the YAML view), or why it cannot be read.
    Pod(Result<Box<ApiPod>, String>),
}

/// The running watch; dropping it stops it.
pub struct PodEventsWatch {
    task: JoinHandle<()>,
    pub rx: mpsc::Receiver<PodNews>,
    client: Client,
    namespace: String,
    pod: String,
    tx: mpsc::Sender<PodNews>,
    tails: Vec<JoinHandle<()>>,
}

impl Drop for PodEventsWatch {
    fn drop(&mut self) {
        self.task.abort();
        self.tails.iter().for_each(JoinHandle::abort);
    }
}

pub fn spawn(client: Client, namespace: &str, pod: &str) -> PodEventsWatch {
    let (tx, rx) = mpsc::channel(16);
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let fields = format!("involvedObject.name={pod},involvedObject.kind=Pod");
    let out = tx.clone();
    let task = tokio::spawn(async move {
        let config = watcher::Config::default().fields(&fields);
        let mut stream = watcher(api, config).default_backoff().boxed();
        let mut events: BTreeMap<String, Event> = BTreeMap::new();
        let mut fresh: Option<BTreeMap<String, Event>> = None;
        while let Some(next) = stream.next().await {
            let changed = match next {
                Ok(watcher::Event::Init) => {
                    fresh = Some(BTreeMap::new());
                    false
                }
                Ok(watcher::Event::InitApply(e)) => {
                    let name = e.metadata.name.clone().unwrap_or_default();
                    fresh.get_or_insert_with(BTreeMap::new).insert(name, e);
                    false
                }
                Ok(watcher::Event::InitDone) => {
                    events = fresh.take().unwrap_or_default();
                    true
                }
                Ok(watcher::Event::Apply(e)) => {
                    events.insert(e.metadata.name.clone().unwrap_or_default(), e);
                    true
                }
                Ok(watcher::Event::Delete(e)) => {
                    events.remove(e.metadata.name.as_deref().unwrap_or_default());
                    true
                }
                // Not allowed, or the connection dropped: the pod view goes on without.
                Err(_) => false,
            };
            if changed {
                let mut list: Vec<PodEvent> = events.values().map(event_from_api).collect();
                newest_first(&mut list);
                if out.send(PodNews::Events(list)).await.is_err() {
                    return;
                }
            }
        }
    });
    PodEventsWatch {
        task,
        rx,
        client,
        namespace: namespace.to_string(),
        pod: pod.to_string(),
        tx,
        tails: Vec::new(),
    }
}

impl PodEventsWatch {
    /// Fetch the pod itself.
    pub fn fetch_pod(&mut self) {
        let (client, namespace, pod, tx) = (
            self.client.clone(),
            self.namespace.clone(),
            self.pod.clone(),
            self.tx.clone(),
        );
        self.tails.push(tokio::spawn(async move {
            let api: Api<ApiPod> = Api::namespaced(client, &namespace);
            let got = api
                .get(&pod)
                .await
                .map(Box::new)
                .map_err(|e| super::errors::ApiFailure::from_kube(&e).to_string());
            let _ = tx.send(PodNews::Pod(got)).await;
        }));
    }

    /// Fetch the last `lines` lines of a container's current or previous instance.
    pub fn tail(&mut self, container: &str, previous: bool, lines: i64) {
        let (client, namespace, pod, tx) = (
            self.client.clone(),
            self.namespace.clone(),
            self.pod.clone(),
            self.tx.clone(),
        );
        let container = container.to_string();
        self.tails.push(tokio::spawn(async move {
            let wanted = [(container.clone(), previous)];
            let (current, old) =
                super::snapshot::last_lines(&client, &namespace, &pod, &wanted, lines).await;
            let got = if previous { old } else { current };
            if let Some(lines) = got.get(&container) {
                let _ = tx
                    .send(PodNews::LogTail {
                        container,
                        previous,
                        lines: lines.clone(),
                    })
                    .await;
            }
        }));
    }
}
