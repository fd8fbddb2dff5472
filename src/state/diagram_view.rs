//! The diagram view's state and keys: one pod drawn as a picture (`model::diagram`), one of
//! its containers selected. `j`/`k` move between containers, `enter` opens the selected one in
//! the pod view, `v` switches to the volume matrix, `esc` or `g` goes back.

use super::keymap::Action;
use super::{App, PodView, Screen, VolumesView};
use crate::model::PodInsight;
use crate::model::diagram::{Diagram, diagram};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramView {
    pub namespace: String,
    pub name: String,
    /// The selected lane (container) of the diagram.
    pub selected: usize,
    pub scroll: u16,
    /// The pod view it was opened from, to go back to.
    pub back: Option<PodView>,
}

impl DiagramView {
    /// The diagram of `insight` with `container` selected (the first lane when it is absent).
    pub fn open(insight: &PodInsight, container: Option<&str>, back: Option<PodView>) -> Self {
        let d = diagram(insight);
        let selected = container.and_then(|c| d.lane(c)).unwrap_or(0);
        DiagramView {
            namespace: insight.pod.namespace.clone(),
            name: insight.pod.name.clone(),
            selected,
            scroll: 0,
            back,
        }
    }

    /// The selected container's name, in `d`.
    pub fn container<'a>(&self, d: &'a Diagram) -> Option<&'a str> {
        let last = d.lanes.len().checked_sub(1)?;
        Some(d.lanes[self.selected.min(last)].name.as_str())
    }
}

/// Open the diagram from the list, the pod view or the volumes view.
pub(super) fn open(app: &mut App) {
    let (insight, container, back) = match &app.screen {
        Screen::List => match app.table.selected_pod() {
            Some(p) => (p.clone(), None, None),
            None => return,
        },
        Screen::Pod(view) => match app.table.find(&view.namespace, &view.name) {
            Some(p) => {
                let c = view
                    .selected_container(p)
                    .map(|i| p.pod.containers[i].name.clone());
                (p.clone(), c, Some(view.clone()))
            }
            None => return,
        },
        Screen::Volumes(view) => match app.table.find(&view.namespace, &view.name) {
            Some(p) => (p.clone(), None, view.back.clone()),
            None => return,
        },
        Screen::Diagram(_) | Screen::Logs(_) | Screen::Yaml(_) => return,
    };
    let container =
        container.or_else(|| insight.default_container.as_ref().map(|d| d.name.clone()));
    app.screen = Screen::Diagram(DiagramView::open(&insight, container.as_deref(), back));
}

/// A key on the diagram view.
pub(super) fn action(app: &mut App, action: Action) {
    let Screen::Diagram(view) = &mut app.screen else {
        return;
    };
    let Some(insight) = app.table.find(&view.namespace, &view.name).cloned() else {
        if matches!(action, Action::Back | Action::Diagram) {
            app.screen = Screen::List;
        }
        return;
    };
    let lanes = diagram(&insight).lanes.len();
    let last = lanes.saturating_sub(1);
    match action {
        Action::Down => view.selected = (view.selected + 1).min(last),
        Action::Up => view.selected = view.selected.saturating_sub(1).min(last),
        Action::Top => view.selected = 0,
        Action::Bottom => view.selected = last,
        Action::ScrollDetailDown | Action::PageDown => view.scroll = view.scroll.saturating_add(1),
        Action::ScrollDetailUp | Action::PageUp => view.scroll = view.scroll.saturating_sub(1),
        Action::Open => {
            let d = diagram(&insight);
            let mut pod = PodView::open(&insight);
            if let Some(name) = view.container(&d) {
                pod.select_container(&insight, name);
            }
            app.screen = Screen::Pod(pod);
        }
        Action::Volumes => {
            app.screen = Screen::Volumes(VolumesView {
                namespace: view.namespace.clone(),
                name: view.name.clone(),
                scroll: 0,
                back: view.back.clone(),
            })
        }
        Action::Back | Action::Diagram => {
            app.screen = match view.back.take() {
                Some(pod) => Screen::Pod(pod),
                None => Screen::List,
            }
        }
        _ => {}
    }
}
