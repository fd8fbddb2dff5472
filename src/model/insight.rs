//! Everything podscope works out about one pod, computed once when the pod arrives.

use super::default_container::{DefaultContainer, default_container};
use super::lint::{Lint, lint};
use super::pod::{Container, Pod};
use super::printing::{PodSummary, summarize};
use super::role::{RoleAssessment, RoleRule, infer_roles};

#[derive(Debug, Clone, PartialEq)]
pub struct PodInsight {
    pub pod: Pod,
    /// One per container, in the order of `pod.containers`.
    pub roles: Vec<RoleAssessment>,
    pub default_container: Option<DefaultContainer>,
    pub lints: Vec<Lint>,
    /// kubectl's READY, STATUS and RESTARTS columns.
    pub summary: PodSummary,
}

impl PodInsight {
    pub fn new(pod: Pod, rules: &[RoleRule]) -> PodInsight {
        let roles = infer_roles(&pod, rules);
        let default_container = default_container(&pod);
        let lints = lint(&pod);
        let summary = summarize(&pod);
        PodInsight {
            pod,
            roles,
            default_container,
            lints,
            summary,
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
