//! The pure domain: pods, containers, volumes, roles. No tokio, no kube client, no ratatui.

pub mod convert;
pub mod default_container;
pub mod diagram;
pub mod event;
pub mod findings;
pub mod glob;
pub mod insight;
pub mod lint;
pub mod log_line;
pub mod manifest;
pub mod network;
pub mod pod;
pub mod printing;
pub mod role;
pub mod service;
pub mod str_map;
pub mod usage;
pub mod validation;
pub mod volume;
pub mod yaml;
pub mod zero_values;

pub use default_container::{DefaultContainer, choose_container, default_container};
pub use insight::PodInsight;
pub use network::{LocalhostLink, localhost_links};
pub use pod::{Container, ContainerStateKind, Pod, Section};
pub use role::{Confidence, ContainerRole, RoleAssessment, RoleRule};
