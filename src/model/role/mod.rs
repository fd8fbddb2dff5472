//! Role inference: what each container of a pod is for.
//!
//! Roles are not in the Kubernetes API. Certain facts come first (section, native sidecar,
//! the default-container annotation), then user overrides, then weighed evidence: the
//! knowledge table (`knowledge.rs`), facts read off each container (`signals.rs`) and how the
//! containers relate through volumes and `localhost` (`weigh.rs`). Every answer carries a
//! confidence and the sentences that led to it.

mod ballot;
mod decide;
mod flows;
mod injectors;
pub mod knowledge;
mod links;
mod signals;
mod structure;
mod weigh;

use std::fmt;

use super::glob::glob_match;
use super::pod::Pod;
use super::service::Service;

pub use flows::{Flow, MountFlow, mount_flows};
pub use knowledge::{ImageKind, image_path, known_image};
pub use signals::{
    LocalhostRef, file_access, listen_ports, localhost_refs, mount_for_path, outside_hosts,
    program_text,
};

/// Pod annotation prefix for user overrides: `role.podscope.io/<container>: <role>`.
pub const ROLE_ANNOTATION_PREFIX: &str = "role.podscope.io/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerRole {
    Main,
    Sidecar,
    Adapter,
    Ambassador,
    Init,
    Ephemeral,
}

impl ContainerRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerRole::Main => "main",
            ContainerRole::Sidecar => "sidecar",
            ContainerRole::Adapter => "adapter",
            ContainerRole::Ambassador => "ambassador",
            ContainerRole::Init => "init",
            ContainerRole::Ephemeral => "ephemeral",
        }
    }

    pub fn parse(text: &str) -> Option<ContainerRole> {
        match text.trim().to_ascii_lowercase().as_str() {
            "main" | "app" => Some(ContainerRole::Main),
            "sidecar" => Some(ContainerRole::Sidecar),
            "adapter" => Some(ContainerRole::Adapter),
            "ambassador" => Some(ContainerRole::Ambassador),
            "init" => Some(ContainerRole::Init),
            "ephemeral" => Some(ContainerRole::Ephemeral),
            _ => None,
        }
    }

    /// The three helper patterns a long-running container can follow.
    pub fn is_pattern_helper(self) -> bool {
        matches!(
            self,
            ContainerRole::Sidecar | ContainerRole::Adapter | ContainerRole::Ambassador
        )
    }
}

impl fmt::Display for ContainerRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way a piece of evidence pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toward {
    Main,
    Helper(ContainerRole),
}

/// The inferred role of one container, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssessment {
    pub role: ContainerRole,
    pub native_sidecar: bool,
    pub confidence: Confidence,
    pub evidence: Vec<String>,
}

/// A user rule from the config file: containers whose image or name matches get `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRule {
    /// Glob over the image path without registry and tag (e.g. `mycorp/log-*`).
    pub image: Option<String>,
    /// Glob over the container name.
    pub name: Option<String>,
    pub role: ContainerRole,
}

impl RoleRule {
    pub fn matches(&self, container_name: &str, image: Option<&str>) -> bool {
        let name_ok = self
            .name
            .as_deref()
            .is_none_or(|p| glob_match(p, container_name));
        let image_ok = self.image.as_deref().is_none_or(|p| {
            image.is_some_and(|i| glob_match(p, image_path(i)) || glob_match(p, i))
        });
        (self.name.is_some() || self.image.is_some()) && name_ok && image_ok
    }

    fn describe(&self) -> String {
        match (&self.name, &self.image) {
            (Some(n), Some(i)) => format!("name {n}, image {i}"),
            (Some(n), None) => format!("name {n}"),
            (None, Some(i)) => format!("image {i}"),
            (None, None) => String::new(),
        }
    }
}

/// Infer a role for every container of `pod`, in the same order as `pod.containers`.
pub fn infer_roles(pod: &Pod, rules: &[RoleRule]) -> Vec<RoleAssessment> {
    infer_roles_with_services(pod, rules, &[])
}

/// [`infer_roles`] with the Services of the pod's namespace as evidence (those that select
/// the pod point at the container that serves).
pub fn infer_roles_with_services(
    pod: &Pod,
    rules: &[RoleRule],
    services: &[&Service],
) -> Vec<RoleAssessment> {
    let overrides: Vec<Option<(ContainerRole, String)>> = pod
        .containers
        .iter()
        .map(|c| {
            let key = format!("{ROLE_ANNOTATION_PREFIX}{}", c.name);
            if let Some(role) = pod
                .annotations
                .get(&key)
                .and_then(|v| ContainerRole::parse(v))
            {
                return Some((role, format!("set by the pod annotation {key}")));
            }
            rules
                .iter()
                .find(|r| r.matches(&c.name, c.image.as_deref()))
                .map(|r| {
                    (
                        r.role,
                        format!("set by your config rule ({} → {})", r.describe(), r.role),
                    )
                })
        })
        .collect();
    weigh::assess(pod, services, &overrides)
}
