//! The mouse, as the state sees it: the terminal layer knows where things were drawn (the
//! [`Hit`]s a frame leaves) and turns a click into what was clicked ([`Target`]), so this
//! module only says what clicking that means, through the same actions the keys use: a click
//! selects a row, a container or a diagram box, a double click opens it, a footer hint runs
//! its key, and the wheel scrolls whatever the screen scrolls.

use super::Outcome;
use super::keymap::{Action, Key};
use super::update::{act, key_press};
use super::{App, Screen};

/// Something on screen a click can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A row of the pod list (its position in the filtered, sorted list).
    Row(usize),
    /// A container of the pod view, by its position in the view's order.
    Container(usize),
    /// A container's box in the diagram.
    Lane(usize),
    /// A footer hint: pressing its key.
    Key(Key),
}

/// Where a frame drew a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
    pub target: Target,
}

impl Hit {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        column >= self.x
            && column < self.x.saturating_add(self.width)
            && row >= self.y
            && row < self.y.saturating_add(self.height)
    }
}

/// The target drawn at (`column`, `row`), the last one drawn winning (drawn over the others).
pub fn target_at(hits: &[Hit], column: u16, row: u16) -> Option<Target> {
    hits.iter()
        .rev()
        .find(|h| h.contains(column, row))
        .map(|h| h.target)
}

/// Lines the wheel moves per notch.
const WHEEL_LINES: usize = 3;

pub(super) fn click(app: &mut App, target: Target, double: bool, out: &mut Outcome) {
    if app.help.is_some() || app.prompt.is_some() || app.confirm.is_some() {
        // An overlay is asking something: a click elsewhere does not answer it.
        if let Target::Key(key) = target {
            key_press(app, key, out);
        }
        return;
    }
    let height = app.list_height();
    match (target, &mut app.screen) {
        (Target::Key(key), _) => key_press(app, key, out),
        (Target::Row(row), Screen::List) => {
            app.table.select(row, height);
            if double {
                act(app, Action::Open, out);
            }
        }
        (Target::Container(pos), Screen::Pod(view)) => {
            if view.selected != pos {
                view.selected = pos;
                view.detail_scroll = 0;
            }
            if double {
                act(app, Action::Logs, out);
            }
        }
        (Target::Lane(lane), Screen::Diagram(view)) => {
            view.selected = lane;
            if double {
                act(app, Action::Open, out);
            }
        }
        _ => out.redraw = false,
    }
}

/// The wheel: `notches` down (positive) or up (negative).
pub(super) fn wheel(app: &mut App, notches: i8, out: &mut Outcome) {
    if let Some(scroll) = app.help.as_mut() {
        *scroll = if notches > 0 {
            scroll.saturating_add(WHEEL_LINES)
        } else {
            scroll.saturating_sub(WHEEL_LINES)
        };
        return;
    }
    let action = match (&app.screen, notches > 0) {
        // The list moves its selection, as in k9s; the other screens scroll.
        (Screen::List | Screen::Logs(_), true) => Action::Down,
        (Screen::List | Screen::Logs(_), false) => Action::Up,
        (_, true) => Action::ScrollDetailDown,
        (_, false) => Action::ScrollDetailUp,
    };
    for _ in 0..WHEEL_LINES * usize::from(notches.unsigned_abs()) {
        act(app, action, out);
    }
}
