//! Keys and what they do. The terminal layer turns crossterm events into [`Key`]s; this table
//! turns keys into typed [`Action`]s (and feeds the help screen), so tests drive the same
//! bindings a person presses.

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// What a key asks for on the pod list, the pod view or the volumes view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    Command,
    Help,
    Quit,
    Volumes,
    CopyExec,
    CopyLogs,
    Sort(SortKey),
    Suspend,
    ScrollDetailUp,
    ScrollDetailDown,
}

/// Pod list orderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Age,
    Restarts,
    Status,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "NAME",
            SortKey::Age => "AGE",
            SortKey::Restarts => "RESTARTS",
            SortKey::Status => "STATUS",
        }
    }
}

/// One binding: the key, its action, and how the help screen names the key.
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub shown: &'static str,
    pub help: &'static str,
}

const fn bind(key: Key, action: Action, shown: &'static str, help: &'static str) -> Binding {
    Binding {
        key,
        action,
        shown,
        help,
    }
}

/// Every binding, in the order the help screen lists them. Several keys may share an action.
pub const BINDINGS: &[Binding] = &[
    bind(Key::Char('j'), Action::Down, "j ↓", "move down"),
    bind(Key::Down, Action::Down, "", ""),
    bind(Key::Char('k'), Action::Up, "k ↑", "move up"),
    bind(Key::Up, Action::Up, "", ""),
    bind(Key::PageDown, Action::PageDown, "PgDn ^f", "page down"),
    bind(Key::Ctrl('f'), Action::PageDown, "", ""),
    bind(Key::PageUp, Action::PageUp, "PgUp ^b", "page up"),
    bind(Key::Ctrl('b'), Action::PageUp, "", ""),
    bind(Key::Char('g'), Action::Top, "g Home", "first row"),
    bind(Key::Home, Action::Top, "", ""),
    bind(Key::Char('G'), Action::Bottom, "G End", "last row"),
    bind(Key::End, Action::Bottom, "", ""),
    bind(Key::Enter, Action::Open, "enter", "open the pod"),
    bind(Key::Right, Action::Open, "", ""),
    bind(Key::Esc, Action::Back, "esc", "back (and clear the filter)"),
    bind(Key::Left, Action::Back, "", ""),
    bind(
        Key::Char('/'),
        Action::Filter,
        "/",
        "filter: name, namespace, labels, containers, images",
    ),
    bind(
        Key::Char(':'),
        Action::Command,
        ":",
        "command: ns NAME, ns all, ctx NAME, q",
    ),
    bind(
        Key::Char('v'),
        Action::Volumes,
        "v",
        "volumes shared by the containers",
    ),
    bind(
        Key::Char('c'),
        Action::CopyExec,
        "c",
        "copy the kubectl command (exec, or describe)",
    ),
    bind(
        Key::Char('C'),
        Action::CopyLogs,
        "C",
        "copy the kubectl logs command",
    ),
    bind(
        Key::Char('J'),
        Action::ScrollDetailDown,
        "J K",
        "scroll the details",
    ),
    bind(Key::Char('K'), Action::ScrollDetailUp, "", ""),
    bind(
        Key::Char('N'),
        Action::Sort(SortKey::Name),
        "N",
        "sort by name (again: reverse)",
    ),
    bind(
        Key::Char('A'),
        Action::Sort(SortKey::Age),
        "A",
        "sort by age",
    ),
    bind(
        Key::Char('R'),
        Action::Sort(SortKey::Restarts),
        "R",
        "sort by restarts",
    ),
    bind(
        Key::Char('S'),
        Action::Sort(SortKey::Status),
        "S",
        "sort by status",
    ),
    bind(Key::Char('?'), Action::Help, "?", "this help"),
    bind(
        Key::Ctrl('z'),
        Action::Suspend,
        "^z",
        "suspend to the shell",
    ),
    bind(Key::Char('q'), Action::Quit, "q ^c", "quit"),
    bind(Key::Ctrl('c'), Action::Quit, "", ""),
];

/// The action bound to `key`, if any.
pub fn action_for(key: Key) -> Option<Action> {
    BINDINGS.iter().find(|b| b.key == key).map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        for (i, a) in BINDINGS.iter().enumerate() {
            assert!(
                BINDINGS[i + 1..].iter().all(|b| b.key != a.key),
                "{:?} is bound twice",
                a.key
            );
        }
    }

    #[test]
    fn k9s_keys() {
        assert_eq!(action_for(Key::Char('j')), Some(Action::Down));
        assert_eq!(action_for(Key::Enter), Some(Action::Open));
        assert_eq!(action_for(Key::Char('/')), Some(Action::Filter));
        assert_eq!(action_for(Key::Char('x')), None);
    }
}
