//! The demo cluster's object store, one per kind (pods, Services, ConfigMaps...): the objects
//! in key order, a bounded history of changes (so a watch can resume from a resourceVersion,
//! or be told 410 Expired), and a broadcast to live watchers. Every store draws its
//! resourceVersions from one [`Clock`], as every kind in etcd shares one revision.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
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

/// The cluster's resourceVersion counter, shared by every kind's store.
#[derive(Debug, Clone)]
pub struct Clock(Arc<AtomicU64>);

impl Default for Clock {
    fn default() -> Self {
        Clock(Arc::new(AtomicU64::new(1000)))
    }
}

impl Clock {
    /// A clock that goes on from `rv` (a restart with `--state-dir`).
    pub fn starting_at(rv: u64) -> Clock {
        Clock(Arc::new(AtomicU64::new(rv)))
    }

    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }

    fn tick(&self) -> u64 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// One change to one object, as a watch reports it.
#[derive(Debug)]
pub struct Change<T> {
    pub kind: EventKind,
    pub rv: u64,
    pub object: Arc<T>,
}

impl<T> Clone for Change<T> {
    fn clone(&self) -> Self {
        Change {
            kind: self.kind,
            rv: self.rv,
            object: self.object.clone(),
        }
    }
}

pub struct Store<T> {
    objects: BTreeMap<(String, String), Arc<T>>,
    /// Objects per namespace, so a list page says how many remain without counting them.
    counts: BTreeMap<String, usize>,
    clock: Clock,
    history: VecDeque<Change<T>>,
    /// The newest resourceVersion dropped from the history: a watch must start after it.
    forgotten: u64,
    tx: broadcast::Sender<Change<T>>,
}

/// What a watch starting now gets: the past it must replay, and the live feed after it.
pub struct WatchStart<T> {
    pub replay: Vec<Change<T>>,
    pub live: broadcast::Receiver<Change<T>>,
}

/// The resourceVersion asked for is older than the history kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired {
    pub requested: u64,
    pub oldest: u64,
}

fn key_of(meta: &ObjectMeta) -> (String, String) {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

impl<T: Metadata<Ty = ObjectMeta> + Clone> Store<T> {
    pub fn new(clock: Clock) -> Store<T> {
        Store {
            objects: BTreeMap::new(),
            counts: BTreeMap::new(),
            // Nothing before the store was made can be replayed.
            forgotten: clock.now(),
            clock,
            history: VecDeque::new(),
            tx: broadcast::channel(4096).0,
        }
    }

    /// The cluster's resourceVersion now (every kind's, not only this one's).
    pub fn resource_version(&self) -> u64 {
        self.clock.now()
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<T>> {
        self.objects
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// How many objects `namespace` holds (all namespaces when `None`).
    pub fn count(&self, namespace: Option<&str>) -> usize {
        match namespace {
            Some(ns) => self.counts.get(ns).copied().unwrap_or(0),
            None => self.objects.len(),
        }
    }

    /// One page of a list: up to `limit` objects in `namespace` (all when `None`) that come
    /// after `after` and `keep` accepts, in key order, and whether more follow. It reads only
    /// as far as the page goes, so a page costs the same whatever the store holds.
    pub fn page(
        &self,
        namespace: Option<&str>,
        after: Option<&(String, String)>,
        limit: Option<usize>,
        keep: impl Fn(&T) -> bool,
    ) -> (Vec<Arc<T>>, bool) {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let start = match (after, namespace) {
            (Some(a), _) => Excluded(a.clone()),
            (None, Some(ns)) => Included((ns.to_string(), String::new())),
            (None, None) => Unbounded,
        };
        let limit = limit.filter(|&l| l > 0).unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut more = false;
        for ((ns, _), object) in self.objects.range((start, Unbounded)) {
            if namespace.is_some_and(|n| n != ns) {
                if namespace.is_some_and(|n| n < ns.as_str()) {
                    break;
                }
                continue;
            }
            if !keep(object) {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            items.push(object.clone());
        }
        (items, more)
    }

    /// Objects in `namespace` (all when `None`), ordered by namespace then name.
    pub fn list(&self, namespace: Option<&str>) -> Vec<Arc<T>> {
        self.objects
            .iter()
            .filter(|((ns, _), _)| namespace.is_none_or(|n| n == ns))
            .map(|(_, p)| p.clone())
            .collect()
    }

    /// Insert or replace an object, stamping a new resourceVersion. Returns that version.
    pub fn put(&mut self, mut object: T) -> u64 {
        let rv = self.clock.tick();
        object.metadata_mut().resource_version = Some(rv.to_string());
        let key = key_of(object.metadata());
        let object = Arc::new(object);
        let namespace = key.0.clone();
        let kind = if self.objects.insert(key, object.clone()).is_some() {
            EventKind::Modified
        } else {
            *self.counts.entry(namespace).or_default() += 1;
            EventKind::Added
        };
        self.record(Change { kind, rv, object });
        rv
    }

    /// Change an object in place; `None` when it does not exist.
    pub fn update(
        &mut self,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut T),
    ) -> Option<u64> {
        let mut object = (*self.get(namespace, name)?).clone();
        change(&mut object);
        Some(self.put(object))
    }

    pub fn delete(&mut self, namespace: &str, name: &str) -> Option<Arc<T>> {
        let old = self
            .objects
            .remove(&(namespace.to_string(), name.to_string()))?;
        if let Some(n) = self.counts.get_mut(namespace) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.counts.remove(namespace);
            }
        }
        let rv = self.clock.tick();
        let mut last = (*old).clone();
        last.metadata_mut().resource_version = Some(rv.to_string());
        let object = Arc::new(last);
        self.record(Change {
            kind: EventKind::Deleted,
            rv,
            object: object.clone(),
        });
        Some(object)
    }

    fn record(&mut self, event: Change<T>) {
        if self.history.len() == HISTORY
            && let Some(dropped) = self.history.pop_front()
        {
            self.forgotten = dropped.rv;
        }
        self.history.push_back(event.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(event);
    }

    /// Every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change<T>> {
        self.tx.subscribe()
    }

    /// Start a watch at resourceVersion `from`: every change after it, then live changes.
    pub fn watch_from(&self, from: u64) -> Result<WatchStart<T>, Expired> {
        let oldest = self.forgotten;
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
    pub fn watch_all(&self) -> WatchStart<T> {
        WatchStart {
            replay: self
                .objects
                .values()
                .map(|o| Change {
                    kind: EventKind::Added,
                    rv: o
                        .metadata()
                        .resource_version
                        .as_deref()
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(self.clock.now()),
                    object: o.clone(),
                })
                .collect(),
            live: self.tx.subscribe(),
        }
    }
}
