//! The votes cast for one container, and how sure the winner is.

use super::{Confidence, ContainerRole, Toward};

#[derive(Debug, Clone)]
pub(super) struct Vote {
    weight: f32,
    text: String,
}

/// The votes cast for one container.
#[derive(Debug, Default, Clone)]
pub(super) struct Ballot {
    main: Vec<Vote>,
    sidecar: Vec<Vote>,
    adapter: Vec<Vote>,
    ambassador: Vec<Vote>,
    /// Helper evidence that fits whichever helper pattern wins.
    any_helper: Vec<Vote>,
}

fn total(votes: &[Vote]) -> f32 {
    votes.iter().map(|v| v.weight).sum()
}

impl Ballot {
    pub(super) fn add(&mut self, toward: Toward, weight: f32, text: String) {
        let list = match toward {
            Toward::Main => &mut self.main,
            Toward::Helper(ContainerRole::Adapter) => &mut self.adapter,
            Toward::Helper(ContainerRole::Ambassador) => &mut self.ambassador,
            Toward::Helper(_) => &mut self.sidecar,
        };
        if !list.iter().any(|v| v.text == text) {
            list.push(Vote { weight, text });
        }
    }

    pub(super) fn add_any_helper(&mut self, weight: f32, text: String) {
        if !self.any_helper.iter().any(|v| v.text == text) {
            self.any_helper.push(Vote { weight, text });
        }
    }

    /// Nothing was said for or against this container.
    pub(super) fn is_empty(&self) -> bool {
        self.main.is_empty()
            && self.sidecar.is_empty()
            && self.adapter.is_empty()
            && self.ambassador.is_empty()
            && self.any_helper.is_empty()
    }

    /// The weight of the single strongest vote cast.
    pub(super) fn strongest(&self) -> f32 {
        [
            &self.main,
            &self.sidecar,
            &self.adapter,
            &self.ambassador,
            &self.any_helper,
        ]
        .iter()
        .flat_map(|list| list.iter().map(|v| v.weight))
        .fold(0.0, f32::max)
    }

    pub(super) fn main_score(&self) -> f32 {
        total(&self.main)
    }

    /// The strongest helper pattern and its score (shared evidence included). Ties go to
    /// sidecar, the most general pattern.
    pub(super) fn best_helper(&self) -> (ContainerRole, f32) {
        let shared = total(&self.any_helper);
        let mut best = (ContainerRole::Sidecar, total(&self.sidecar));
        for (role, votes) in [
            (ContainerRole::Adapter, &self.adapter),
            (ContainerRole::Ambassador, &self.ambassador),
        ] {
            if total(votes) > best.1 {
                best = (role, total(votes));
            }
        }
        (best.0, best.1 + shared)
    }

    /// Which way the votes lean so far; `None` when nothing was said.
    pub(super) fn leaning(&self) -> Option<Toward> {
        let (role, helper) = self.best_helper();
        let main = self.main_score();
        if helper == 0.0 && main == 0.0 {
            None
        } else if helper > main {
            Some(Toward::Helper(role))
        } else {
            Some(Toward::Main)
        }
    }

    pub(super) fn texts(&self, role: ContainerRole) -> Vec<String> {
        let mut votes: Vec<&Vote> = match role {
            ContainerRole::Main => self.main.iter().collect(),
            ContainerRole::Adapter => self.adapter.iter().chain(&self.any_helper).collect(),
            ContainerRole::Ambassador => self.ambassador.iter().chain(&self.any_helper).collect(),
            _ => self.sidecar.iter().chain(&self.any_helper).collect(),
        };
        votes.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        votes.into_iter().map(|v| v.text.clone()).collect()
    }
}

/// The evidence on the losing side of a decision for `role`: for a helper, what says main;
/// for the main, what says helper.
impl Ballot {
    pub(super) fn texts_against(&self, role: ContainerRole) -> Vec<String> {
        if role == ContainerRole::Main {
            let (helper, _) = self.best_helper();
            self.texts(helper)
        } else {
            self.texts(ContainerRole::Main)
        }
    }
}

/// How sure a decision is: by the margin, and never high on thin evidence.
pub(super) fn confidence(win: f32, lose: f32) -> Confidence {
    let margin = win - lose;
    if win < 2.0 {
        Confidence::Low
    } else if margin >= 3.0 {
        Confidence::High
    } else if margin >= 1.5 {
        Confidence::Medium
    } else {
        Confidence::Low
    }
}
