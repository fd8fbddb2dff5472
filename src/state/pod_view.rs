//! The pod view: a pod's containers grouped in the order Kubernetes starts them, and which
//! one is selected.

use crate::model::{ContainerRole, PodInsight, Section};

/// The groups of the pod view, in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Plain init containers: each runs to completion, one after another.
    InitSequence,
    /// Init containers with `restartPolicy: Always`.
    NativeSidecars,
    Main,
    Sidecars,
    Adapters,
    Ambassadors,
    Ephemeral,
}

impl Group {
    pub fn heading(self) -> &'static str {
        match self {
            Group::InitSequence => "Init sequence",
            Group::NativeSidecars => "Native sidecars",
            Group::Main => "Main",
            Group::Sidecars => "Sidecars",
            Group::Adapters => "Adapters",
            Group::Ambassadors => "Ambassadors",
            Group::Ephemeral => "Ephemeral (debug)",
        }
    }
}

/// The group a container belongs to, from its section and inferred role.
pub fn group_of(section: Section, native_sidecar: bool, role: ContainerRole) -> Group {
    match section {
        Section::Init if native_sidecar => Group::NativeSidecars,
        Section::Init => Group::InitSequence,
        Section::Ephemeral => Group::Ephemeral,
        Section::Regular => match role {
            ContainerRole::Main => Group::Main,
            ContainerRole::Adapter => Group::Adapters,
            ContainerRole::Ambassador => Group::Ambassadors,
            _ => Group::Sidecars,
        },
    }
}

/// The containers of `insight` in display order: (group, index into `pod.containers`).
/// Within a group, spec order is kept.
pub fn display_order(insight: &PodInsight) -> Vec<(Group, usize)> {
    let mut order: Vec<(Group, usize)> = insight
        .containers()
        .enumerate()
        .map(|(i, (c, r))| (group_of(c.section, c.native_sidecar, r.role), i))
        .collect();
    order.sort();
    order
}

/// Which pod is open and which of its containers is selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// Position in [`display_order`].
    pub selected: usize,
    /// Lines scrolled in the details panel.
    pub detail_scroll: u16,
}

impl PodView {
    /// Open a pod with its default container (kubectl's rule) selected.
    pub fn open(insight: &PodInsight) -> PodView {
        let order = display_order(insight);
        let selected = insight
            .default_container
            .as_ref()
            .and_then(|d| {
                order
                    .iter()
                    .position(|&(_, i)| insight.pod.containers[i].name == d.name)
            })
            .unwrap_or(0);
        PodView {
            namespace: insight.pod.namespace.clone(),
            name: insight.pod.name.clone(),
            selected,
            detail_scroll: 0,
        }
    }

    /// Index into `pod.containers` of the selected container.
    pub fn selected_container(&self, insight: &PodInsight) -> Option<usize> {
        let order = display_order(insight);
        order
            .get(self.selected.min(order.len().saturating_sub(1)))
            .map(|&(_, i)| i)
    }

    /// Select the container named `name`, if the pod has it.
    pub fn select_container(&mut self, insight: &PodInsight, name: &str) {
        let order = display_order(insight);
        if let Some(pos) = order
            .iter()
            .position(|&(_, i)| insight.pod.containers[i].name == name)
        {
            self.selected = pos;
            self.detail_scroll = 0;
        }
    }

    pub fn move_by(&mut self, delta: isize, insight: &PodInsight) {
        let count = insight.pod.containers.len();
        if count == 0 {
            return;
        }
        let target = (self.selected as isize + delta).clamp(0, count as isize - 1) as usize;
        if target != self.selected {
            self.selected = target;
            self.detail_scroll = 0;
        }
    }
}

/// How long ago a container's current state began (`5m`), when the status says.
pub fn state_age(
    state: &crate::model::pod::ContainerState,
    now: k8s_openapi::jiff::Timestamp,
) -> Option<String> {
    use crate::model::pod::ContainerState;
    let since = match state {
        ContainerState::Running { started_at } => (*started_at)?,
        ContainerState::Terminated { finished_at, .. } => (*finished_at)?,
        _ => return None,
    };
    Some(crate::model::printing::human_duration(
        now.as_second() - since.as_second(),
    ))
}
