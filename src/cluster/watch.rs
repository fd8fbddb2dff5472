//! The pod watcher: list + watch through kube's `watcher` (re-list on 410, back-off on
//! errors), each pod converted on arrival into podscope's model with its roles worked out
//! (managedFields, the last-applied annotation and everything else the screens do not use
//! are dropped right there), and the whole set published latest-wins to the UI, at most
//! every 50 ms however fast the pods change.
//!
//! The Services in the same scope are watched beside the pods (one more watch, not a request
//! per pod): a Service's `targetPort` is evidence of which container serves. When a Service
//! changes, the pods it selects (before or after) are analysed again. Where listing Services
//! is not allowed, pods are analysed without them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use k8s_openapi::api::core::v1::{Pod as ApiPod, Service as ApiService};
use k8s_openapi::jiff::Timestamp;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::errors::ApiFailure;
use crate::model::convert::pod_from_api;
use crate::model::findings::{Observed, diagnose};
use crate::model::service::{ServiceIndex, service_from_api};
use crate::model::{PodInsight, RoleRule};

use crate::model::insight::PodSet;

/// How the watch is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchStatus {
    Connecting,
    /// The first list is arriving: `loaded` pods so far, of about `expected` (the API
    /// server's estimate, when it gives one).
    Syncing {
        loaded: usize,
        expected: Option<usize>,
    },
    Synced,
    Reconnecting {
        reason: String,
        attempt: u32,
        /// When the watch was last known good: the pods shown are as of then.
        since: Timestamp,
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
/// Events the watcher may run ahead of the conversion: a page.
const PIPELINE: usize = 500;

/// Aborts the task when dropped (when the watch is stopped).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Pods in the first small page.
const GLIMPSE: u32 = 50;

/// The first [`GLIMPSE`] pods, and the API server's estimate of how many the scope holds (the
/// page and the remainingItemCount after it; `None` when it gives none). `None` when the
/// request fails: the watcher's list brings everything anyway.
async fn first_glimpse(api: Api<ApiPod>) -> Option<(Vec<ApiPod>, Option<usize>)> {
    let page = api
        .list(&kube::api::ListParams::default().limit(GLIMPSE))
        .await
        .ok()?;
    let more = page
        .metadata
        .continue_
        .as_deref()
        .is_some_and(|c| !c.is_empty());
    let total = match page.metadata.remaining_item_count {
        Some(r) => Some(page.items.len() + r.max(0) as usize),
        None if !more => Some(page.items.len()),
        None => None,
    };
    Some((page.items, total))
}
const RECHECK_EVERY: Duration = Duration::from_secs(20);
/// How often a failing connection is tried again by hand (see the probe in [`run`]).
const PROBE_EVERY: Duration = Duration::from_secs(2);

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
    let (api, service_api): (Api<ApiPod>, Api<ApiService>) = match &namespace {
        Some(ns) => (
            Api::namespaced(client.clone(), ns),
            Api::namespaced(client, ns),
        ),
        None => (Api::all(client.clone()), Api::all(client)),
    };
    // A small first page, asked beside the watcher's list: pods on screen sooner than a page
    // of 500 brings them, and (its remainingItemCount) how many there are, to say how far the
    // first sync is. Asked once.
    let mut glimpse = Some(tokio::spawn(first_glimpse(api.clone())));
    let probe_api = api.clone();
    let mut probe = tokio::time::interval(PROBE_EVERY);
    // The watcher lists page after page, and asks for the next page only when the last one
    // is taken: a task of its own keeps it asking while this one converts what came.
    let stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let (pod_tx, mut pod_rx) = tokio::sync::mpsc::channel(PIPELINE);
    let _pump = AbortOnDrop(tokio::spawn(async move {
        let mut stream = stream;
        while let Some(event) = stream.next().await {
            if pod_tx.send(event).await.is_err() {
                break;
            }
        }
    }));
    let mut service_stream = Some(
        watcher(service_api, watcher::Config::default())
            .default_backoff()
            .boxed(),
    );
    let mut pods: BTreeMap<Key, Arc<PodInsight>> = BTreeMap::new();
    let mut relist: Option<BTreeMap<Key, Arc<PodInsight>>> = None;
    let mut services = ServiceIndex::default();
    let mut services_relist: Option<ServiceIndex> = None;
    let mut status = WatchStatus::Connecting;
    let mut synced_once = false;
    let mut expected: Option<usize> = None;
    let mut dirty = false;
    let mut attempt = 0;
    let mut last_publish = Instant::now() - PUBLISH_EVERY;
    let mut recheck = tokio::time::interval_at(Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    loop {
        let deadline = last_publish + PUBLISH_EVERY;
        let event = tokio::select! {
            event = pod_rx.recv() => event,
            seen = async { glimpse.as_mut().expect("guarded").await }, if glimpse.is_some() => {
                glimpse = None;
                let Ok(Some((first, count))) = seen else { continue };
                expected = count;
                if !synced_once {
                    for p in &first {
                        let insight = convert(p, &rules, &services);
                        pods.entry(key(&insight)).or_insert(insight);
                    }
                    status = WatchStatus::Syncing { loaded: pods.len(), expected };
                    dirty = true;
                }
                continue;
            }
            event = next_service(&mut service_stream), if service_stream.is_some() => {
                let before = services.clone();
                match event {
                    Some(Ok(watcher::Event::Init)) => services_relist = Some(ServiceIndex::default()),
                    Some(Ok(watcher::Event::InitApply(s))) => {
                        services_relist.get_or_insert_with(ServiceIndex::default).insert(service_from_api(&s));
                    }
                    Some(Ok(watcher::Event::InitDone)) => {
                        if let Some(fresh) = services_relist.take() {
                            services = fresh;
                        }
                    }
                    Some(Ok(watcher::Event::Apply(s))) => {
                        services.insert(service_from_api(&s));
                    }
                    Some(Ok(watcher::Event::Delete(s))) => {
                        let s = service_from_api(&s);
                        services.remove(&s.namespace, &s.name);
                    }
                    // Not allowed to list Services, or the stream ended: pods go on without.
                    Some(Err(e)) if is_forbidden_any(&e) => service_stream = None,
                    Some(Err(_)) => {}
                    None => service_stream = None,
                }
                if reanalyse(&mut pods, &services, &before, &rules) {
                    dirty = true;
                }
                continue;
            }
            // The watcher says nothing when a watch starts again after failures: while
            // reconnecting, ask the server now and then; once it answers, the watcher's next
            // try (resuming from the last resourceVersion, or listing again) brings the news.
            _ = probe.tick(), if matches!(status, WatchStatus::Reconnecting { .. }) => {
                let asked = kube::api::ListParams::default().limit(1);
                if probe_api.list_metadata(&asked).await.is_ok() {
                    status = if synced_once { WatchStatus::Synced } else { WatchStatus::Connecting };
                    attempt = 0;
                    dirty = true;
                }
                continue;
            }
            // Some findings are about time passing (an init container running for long, a
            // container never ready, a pod stuck terminating): look again now and then.
            _ = recheck.tick() => {
                if rediagnose(&mut pods) {
                    dirty = true;
                }
                continue;
            }
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
                let insight = convert(&p, &rules, &services);
                let fresh = relist.get_or_insert_with(BTreeMap::new);
                // Until the first sync is done there is nothing better to show than what has
                // come so far: show it at once, and say how far the list is.
                if !synced_once {
                    pods.insert(key(&insight), insight.clone());
                    status = WatchStatus::Syncing {
                        loaded: pods.len(),
                        expected,
                    };
                    dirty = true;
                }
                fresh.insert(key(&insight), insight);
            }
            Ok(watcher::Event::InitDone) => {
                if let Some(fresh) = relist.take() {
                    pods = fresh;
                }
                give_back_freed_memory();
                synced_once = true;
                glimpse = None;
                status = WatchStatus::Synced;
                attempt = 0;
                dirty = true;
            }
            Ok(watcher::Event::Apply(p)) => {
                let insight = convert(&p, &rules, &services);
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
                let since = match &status {
                    WatchStatus::Reconnecting { since, .. } => *since,
                    _ => Timestamp::now(),
                };
                status = WatchStatus::Reconnecting {
                    reason: describe(&e),
                    attempt,
                    since,
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

type ServiceStream =
    futures_util::stream::BoxStream<'static, Result<watcher::Event<ApiService>, watcher::Error>>;

async fn next_service(
    stream: &mut Option<ServiceStream>,
) -> Option<Result<watcher::Event<ApiService>, watcher::Error>> {
    match stream {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// Diagnose every pod again with the clock as it is now; whether any pod's findings changed.
fn rediagnose(pods: &mut BTreeMap<Key, Arc<PodInsight>>) -> bool {
    let seen = Observed::at(Timestamp::now());
    let mut changed = false;
    for insight in pods.values_mut() {
        let findings = diagnose(insight, &seen);
        // Headlines carry durations; only a change in what is wrong is news.
        let codes = |f: &[crate::model::findings::Finding]| -> Vec<_> {
            f.iter().map(|f| (f.code, f.container.clone())).collect()
        };
        if codes(&findings) != codes(&insight.findings) {
            let mut fresh = (**insight).clone();
            fresh.findings = findings;
            *insight = Arc::new(fresh);
            changed = true;
        }
    }
    changed
}

/// Analyse again the pods that a Service changed between `before` and `now` selects (in
/// either version). Whether any pod changed.
fn reanalyse(
    pods: &mut BTreeMap<Key, Arc<PodInsight>>,
    now: &ServiceIndex,
    before: &ServiceIndex,
    rules: &[RoleRule],
) -> bool {
    let changed = now.changed_from(before);
    if changed.is_empty() {
        return false;
    }
    let mut touched = false;
    for insight in pods.values_mut() {
        if changed.iter().any(|s| s.selects(&insight.pod)) {
            let fresh =
                PodInsight::with_services(insight.pod.clone(), rules, &now.selecting(&insight.pod));
            *insight = Arc::new(fresh);
            touched = true;
        }
    }
    touched
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

fn convert(pod: &ApiPod, rules: &[RoleRule], services: &ServiceIndex) -> Arc<PodInsight> {
    let pod = pod_from_api(pod, None);
    let selecting = services.selecting(&pod);
    let insight = PodInsight::with_services(pod, rules, &selecting);
    Arc::new(insight.diagnosed(&Observed::at(Timestamp::now())))
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

fn is_forbidden_any(e: &watcher::Error) -> bool {
    matches!(
        e,
        watcher::Error::InitialListFailed(kube::Error::Api(s))
            | watcher::Error::WatchStartFailed(kube::Error::Api(s)) if s.code == 403
    )
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
