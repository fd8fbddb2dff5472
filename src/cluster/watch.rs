//! The pod watcher: list + watch through kube's `watcher` (re-list on 410, back-off on
//! errors), each pod converted on arrival into podscope's model with its roles worked out
//! (managedFields, the last-applied annotation and everything else the screens do not use
//! are dropped right there), and the whole set published latest-wins to the UI, at most
//! every 50 ms however fast the pods change.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Pod as ApiPod;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::errors::ApiFailure;
use crate::model::convert::pod_from_api;
use crate::model::{PodInsight, RoleRule};

use crate::model::insight::PodSet;

/// How the watch is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchStatus {
    Connecting,
    Synced,
    Reconnecting {
        reason: String,
        attempt: u32,
    },
    /// Listing every namespace was refused; the watch has stopped.
    ForbiddenAllNamespaces {
        reason: String,
    },
}

/// What the UI reads: the newest pods and status.
#[derive(Debug, Clone)]
pub struct WatchReport {
    pub pods: PodSet,
    pub status: WatchStatus,
}

/// A running watch; dropping it stops the task.
pub struct PodWatch {
    task: JoinHandle<()>,
    pub reports: watch::Receiver<WatchReport>,
}

impl Drop for PodWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const PUBLISH_EVERY: Duration = Duration::from_millis(50);

/// Watch the pods of `namespace` (all namespaces when `None`).
pub fn spawn(client: Client, namespace: Option<String>, rules: Arc<Vec<RoleRule>>) -> PodWatch {
    let (tx, rx) = watch::channel(WatchReport {
        pods: Arc::new(Vec::new()),
        status: WatchStatus::Connecting,
    });
    let task = tokio::spawn(run(client, namespace, rules, tx));
    PodWatch { task, reports: rx }
}

type Key = (String, String);

async fn run(
    client: Client,
    namespace: Option<String>,
    rules: Arc<Vec<RoleRule>>,
    tx: watch::Sender<WatchReport>,
) {
    let all_namespaces = namespace.is_none();
    let api: Api<ApiPod> = match &namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let mut stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut pods: BTreeMap<Key, Arc<PodInsight>> = BTreeMap::new();
    let mut relist: Option<BTreeMap<Key, Arc<PodInsight>>> = None;
    let mut status = WatchStatus::Connecting;
    let mut dirty = false;
    let mut attempt = 0;
    let mut last_publish = Instant::now() - PUBLISH_EVERY;
    loop {
        let deadline = last_publish + PUBLISH_EVERY;
        let event = tokio::select! {
            event = stream.next() => event,
            _ = tokio::time::sleep_until(deadline), if dirty => {
                publish(&tx, &pods, &status);
                dirty = false;
                last_publish = Instant::now();
                continue;
            }
        };
        let Some(event) = event else { break };
        match event {
            Ok(watcher::Event::Init) => relist = Some(BTreeMap::new()),
            Ok(watcher::Event::InitApply(p)) => {
                let insight = convert(&p, &rules);
                relist
                    .get_or_insert_with(BTreeMap::new)
                    .insert(key(&insight), insight);
            }
            Ok(watcher::Event::InitDone) => {
                if let Some(fresh) = relist.take() {
                    pods = fresh;
                }
                give_back_freed_memory();
                status = WatchStatus::Synced;
                attempt = 0;
                dirty = true;
            }
            Ok(watcher::Event::Apply(p)) => {
                let insight = convert(&p, &rules);
                pods.insert(key(&insight), insight);
                status = WatchStatus::Synced;
                attempt = 0;
                dirty = true;
            }
            Ok(watcher::Event::Delete(p)) => {
                let ns = p.metadata.namespace.clone().unwrap_or_default();
                let name = p.metadata.name.clone().unwrap_or_default();
                pods.remove(&(ns, name));
                dirty = true;
            }
            Err(e) => {
                if all_namespaces && is_forbidden(&e) {
                    status = WatchStatus::ForbiddenAllNamespaces {
                        reason: describe(&e),
                    };
                    publish(&tx, &pods, &status);
                    return;
                }
                attempt += 1;
                status = WatchStatus::Reconnecting {
                    reason: describe(&e),
                    attempt,
                };
                // Errors are rare and the person is waiting for news: publish now.
                publish(&tx, &pods, &status);
                dirty = false;
                last_publish = Instant::now();
            }
        }
        if dirty && last_publish.elapsed() >= PUBLISH_EVERY {
            publish(&tx, &pods, &status);
            dirty = false;
            last_publish = Instant::now();
        }
    }
}

fn publish(
    tx: &watch::Sender<WatchReport>,
    pods: &BTreeMap<Key, Arc<PodInsight>>,
    status: &WatchStatus,
) {
    let set: Vec<Arc<PodInsight>> = pods.values().cloned().collect();
    tx.send_replace(WatchReport {
        pods: Arc::new(set),
        status: status.clone(),
    });
}

fn convert(pod: &ApiPod, rules: &[RoleRule]) -> Arc<PodInsight> {
    Arc::new(PodInsight::new(pod_from_api(pod, None), rules))
}

/// The initial list parses every pod (pages of JSON, API objects) and keeps only the small
/// model: glibc keeps most of the freed memory, spread between the kept allocations (a
/// 10,000-pod list sent in one body left 175 MB resident for ~50 MB of live data). Hand it
/// back once the list is in.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's heap; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn key(p: &PodInsight) -> Key {
    (p.pod.namespace.clone(), p.pod.name.clone())
}

fn is_forbidden(e: &watcher::Error) -> bool {
    matches!(
        e,
        watcher::Error::InitialListFailed(kube::Error::Api(s)) if s.code == 403
    )
}

/// A one-line reason for a person: the API's message, or the innermost I/O cause
/// (`connection refused`), without kube's wrapper text repeated.
pub fn describe(e: &watcher::Error) -> String {
    let inner = match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => k,
        watcher::Error::WatchError(s) => {
            return ApiFailure {
                code: Some(s.code),
                reason: s.reason.clone(),
                message: s.message.clone(),
            }
            .to_string();
        }
        watcher::Error::NoResourceVersion => return e.to_string(),
    };
    ApiFailure::from_kube(inner).to_string()
}
