//! The pod list: the latest snapshot from the cluster (or the manifest files), the filter, the
//! order and the selection. The selection follows the pod, not the row number, as rows come
//! and go.

use std::cmp::Ordering;
use std::sync::Arc;

use super::fuzzy::Filter;
use super::keymap::SortKey;
use crate::model::PodInsight;
use crate::model::findings::{Severity, worst};

pub use crate::model::insight::PodSet;

/// Which namespaces are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespace(String),
}

impl Scope {
    pub fn includes(&self, namespace: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Namespace(ns) => ns == namespace,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PodTable {
    pods: PodSet,
    /// Indices into `pods` of every pod, in the current sort order (sorted once per snapshot
    /// or sort change, so a filter keystroke only filters).
    order: Vec<usize>,
    /// Indices into `pods` of the rows shown, in display order.
    rows: Vec<usize>,
    filter_text: String,
    filter: Filter,
    /// Only pods with findings.
    problems_only: bool,
    pub scope: Scope,
    pub sort: SortKey,
    pub descending: bool,
    selected: usize,
    /// The first row on screen.
    offset: usize,
    /// (namespace, name) of the selected pod, kept across updates.
    selected_key: Option<(String, String)>,
}

impl PodTable {
    pub fn new(scope: Scope) -> PodTable {
        PodTable {
            pods: Arc::new(Vec::new()),
            order: Vec::new(),
            rows: Vec::new(),
            filter_text: String::new(),
            filter: Filter::default(),
            problems_only: false,
            scope,
            sort: SortKey::Name,
            descending: false,
            selected: 0,
            offset: 0,
            selected_key: None,
        }
    }

    pub fn pods(&self) -> &PodSet {
        &self.pods
    }

    pub fn filter_text(&self) -> &str {
        &self.filter_text
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The pods on rows `offset..offset + height`, with their row numbers.
    pub fn visible(&self, height: usize) -> impl Iterator<Item = (usize, &PodInsight)> {
        self.rows
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(height)
            .map(|(row, &i)| (row, self.pods[i].as_ref()))
    }

    pub fn selected_pod(&self) -> Option<&Arc<PodInsight>> {
        self.rows.get(self.selected).map(|&i| &self.pods[i])
    }

    /// A pod of the current snapshot by namespace and name.
    pub fn find(&self, namespace: &str, name: &str) -> Option<&Arc<PodInsight>> {
        self.pods
            .binary_search_by(|p| {
                (p.pod.namespace.as_str(), p.pod.name.as_str()).cmp(&(namespace, name))
            })
            .ok()
            .map(|i| &self.pods[i])
    }

    /// Namespaces present in the snapshot, sorted (the snapshot is in namespace order).
    pub fn namespaces(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self.pods.iter() {
            if out.last() != Some(&p.pod.namespace) {
                out.push(p.pod.namespace.clone());
            }
        }
        out
    }

    pub fn set_pods(&mut self, pods: PodSet, height: usize) {
        self.pods = pods;
        self.sort_all();
        self.rebuild(height);
    }

    pub fn set_filter(&mut self, text: &str, height: usize) {
        self.filter_text = text.to_string();
        self.filter = Filter::new(text);
        self.rebuild(height);
    }

    pub fn problems_only(&self) -> bool {
        self.problems_only
    }

    pub fn toggle_problems_only(&mut self, height: usize) {
        self.problems_only = !self.problems_only;
        self.rebuild(height);
    }

    pub fn set_scope(&mut self, scope: Scope, height: usize) {
        self.scope = scope;
        self.rebuild(height);
    }

    /// Sort by `key`; choosing the current key again reverses the order.
    pub fn sort_by(&mut self, key: SortKey, height: usize) {
        if self.sort == key {
            self.descending = !self.descending;
        } else {
            self.sort = key;
            // Newest, most restarted and worst first, as a person looking for trouble wants.
            self.descending = matches!(key, SortKey::Restarts | SortKey::Problems);
        }
        self.sort_all();
        self.rebuild(height);
    }

    pub fn move_by(&mut self, delta: isize, height: usize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        let target = (self.selected as isize + delta).clamp(0, last as isize) as usize;
        self.select(target, height);
    }

    pub fn select(&mut self, row: usize, height: usize) {
        self.selected = row.min(self.rows.len().saturating_sub(1));
        self.selected_key = self.selected_pod().map(|p| key_of(p));
        self.scroll_into_view(height);
    }

    /// Keep the selected row on screen after a move or a resize.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }

    fn sort_all(&mut self) {
        let pods = &self.pods;
        let (sort, descending) = (self.sort, self.descending);
        let mut order: Vec<usize> = (0..pods.len()).collect();
        // The snapshot is in namespace/name order: name ascending needs no sorting, and ties
        // keep name order.
        if sort != SortKey::Name || descending {
            order.sort_by(|&a, &b| {
                let o = compare(&pods[a], &pods[b], sort);
                let o = if descending { o.reverse() } else { o };
                o.then(a.cmp(&b))
            });
        }
        self.order = order;
    }

    fn rebuild(&mut self, height: usize) {
        let pods = &self.pods;
        let scope = &self.scope;
        let filter = &self.filter;
        self.rows = self
            .order
            .iter()
            .copied()
            .filter(|&i| scope.includes(&pods[i].pod.namespace))
            .filter(|&i| filter.is_empty() || filter.matches(&pods[i]))
            .filter(|&i| !self.problems_only || !pods[i].findings.is_empty())
            .collect();
        let keep = self.selected_key.as_ref().and_then(|(ns, name)| {
            self.rows
                .iter()
                .position(|&i| pods[i].pod.namespace == *ns && pods[i].pod.name == *name)
        });
        let row = keep.unwrap_or(self.selected.min(self.rows.len().saturating_sub(1)));
        self.selected = row;
        if keep.is_none() {
            self.selected_key = self.selected_pod().map(|p| key_of(p));
        }
        self.scroll_into_view(height);
    }
}

fn key_of(p: &PodInsight) -> (String, String) {
    (p.pod.namespace.clone(), p.pod.name.clone())
}

/// The primary order for `key` (ties are left to the caller).
fn compare(a: &PodInsight, b: &PodInsight, key: SortKey) -> Ordering {
    match key {
        SortKey::Name => (a.pod.namespace.as_str(), a.pod.name.as_str())
            .cmp(&(b.pod.namespace.as_str(), b.pod.name.as_str())),
        // Youngest first; pods without a creation time (manifests) last.
        SortKey::Age => match (a.pod.created, b.pod.created) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        SortKey::Restarts => a.summary.restarts.cmp(&b.summary.restarts),
        SortKey::Status => a.summary.status.cmp(&b.summary.status),
        SortKey::Problems => problem_rank(a).cmp(&problem_rank(b)),
    }
}

/// The worst severity, then how many findings.
fn problem_rank(p: &PodInsight) -> (Option<Severity>, usize) {
    (worst(&p.findings), p.findings.len())
}

/// A pod set from analysed pods in any order (manifests, tests): sorted by namespace and
/// name; of two pods with the same namespace and name the later one wins, as in a cluster.
pub fn pod_set(pods: impl IntoIterator<Item = PodInsight>) -> PodSet {
    let mut all: Vec<Arc<PodInsight>> = pods.into_iter().map(Arc::new).collect();
    all.sort_by(|a, b| {
        (a.pod.namespace.as_str(), a.pod.name.as_str())
            .cmp(&(b.pod.namespace.as_str(), b.pod.name.as_str()))
    });
    all.reverse();
    all.dedup_by(|a, b| a.pod.namespace == b.pod.namespace && a.pod.name == b.pod.name);
    all.reverse();
    Arc::new(all)
}
