//! Everything podscope works out about one pod, computed once when the pod arrives.

use super::default_container::{DefaultContainer, default_container};
use super::event::PodEvent;
use super::findings::{Finding, Observed, diagnose};
use super::lint::{Lint, lint};
use super::pod::{Container, Pod};
use super::printing::{PodSummary, summarize};
use super::role::{RoleAssessment, RoleRule, infer_roles_with_services};
use super::service::Service;

/// A set of analysed pods sorted by namespace then name, shared without copying between the
/// watcher that builds it and the screens that read it.
pub type PodSet = std::sync::Arc<Vec<std::sync::Arc<PodInsight>>>;

#[derive(Debug, Clone, PartialEq)]
pub struct PodInsight {
    pub pod: Pod,
    /// One per container, in the order of `pod.containers`.
    pub roles: Vec<RoleAssessment>,
    pub default_container: Option<DefaultContainer>,
    pub lints: Vec<Lint>,
    /// kubectl's READY, STATUS and RESTARTS columns.
    pub summary: PodSummary,
    /// What is wrong with it, worst first (see [`PodInsight::diagnosed`]); empty for a
    /// manifest, which has no status.
    pub findings: Vec<Finding>,
    /// Its events, newest first, when they were fetched (`describe`, the pod view).
    pub events: Vec<PodEvent>,
    /// Name, namespace, container names, images and labels, lower-cased, one per line: what
    /// the list filter searches, in one piece of memory per pod so a keystroke over 10,000
    /// pods reads 10,000 strings rather than 150,000.
    pub search_text: String,
}

impl PodInsight {
    pub fn new(pod: Pod, rules: &[RoleRule]) -> PodInsight {
        PodInsight::with_services(pod, rules, &[])
    }

    /// Analysed with the Services around it as evidence (only those selecting it count).
    pub fn with_services(pod: Pod, rules: &[RoleRule], services: &[&Service]) -> PodInsight {
        let mut roles = infer_roles_with_services(&pod, rules, services);
        // Kept for as long as the pod is watched: no slack in the sentences.
        for r in &mut roles {
            r.evidence.iter_mut().for_each(String::shrink_to_fit);
            r.evidence.shrink_to_fit();
        }
        let default_container = default_container(&pod);
        let lints = lint(&pod);
        let summary = summarize(&pod);
        let search_text = search_text(&pod);
        PodInsight {
            pod,
            roles,
            default_container,
            lints,
            summary,
            findings: Vec::new(),
            events: Vec::new(),
            search_text,
        }
    }

    /// With its findings worked out from what was observed (a cluster's pod; a manifest has
    /// no status to diagnose).
    pub fn diagnosed(mut self, seen: &Observed) -> PodInsight {
        if self.pod.containers.iter().any(|c| c.status.is_some()) || self.pod.phase.is_some() {
            self.findings = diagnose(&self, seen);
        }
        self
    }

    /// Containers with their roles, in start order.
    pub fn containers(&self) -> impl Iterator<Item = (&Container, &RoleAssessment)> {
        self.pod.containers.iter().zip(&self.roles)
    }

    pub fn role_of(&self, container: &str) -> Option<&RoleAssessment> {
        self.containers()
            .find(|(c, _)| c.name == container)
            .map(|(_, r)| r)
    }
}

fn search_text(pod: &Pod) -> String {
    let mut fields: Vec<&str> = vec![&pod.name, &pod.namespace];
    for c in &pod.containers {
        fields.push(&c.name);
        if let Some(image) = &c.image {
            fields.push(image);
        }
    }
    for (k, v) in &pod.labels {
        fields.push(k);
        fields.push(v);
    }
    fields.join("\n").to_lowercase()
}
