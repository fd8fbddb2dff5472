//! Everything podscope works out about one pod, computed once when the pod arrives.

use super::default_container::{DefaultContainer, default_container};
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
        let roles = infer_roles_with_services(&pod, rules, services);
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
            search_text,
        }
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
