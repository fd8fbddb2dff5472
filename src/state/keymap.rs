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
    /// The pod as a picture.
    Diagram,
    CopyExec,
    CopyLogs,
    Sort(SortKey),
    /// Only the pods with problems (findings), or all again.
    ProblemsOnly,
    /// The pod's YAML.
    Yaml,
    /// Delete the pod (after a question).
    Delete,
    PortForward,
    Suspend,
    ScrollDetailUp,
    ScrollDetailDown,
    /// A shell in the chosen container (exec).
    Shell,
    Logs,
    PreviousLogs,
    /// Logs of every container, merged.
    AllLogs,
    /// An ephemeral debug container targeting the chosen container.
    Debug,
    // The log view's own actions.
    ToggleFollow,
    ToggleTimestamps,
    ToggleWrap,
    Search,
    LogFilter,
    NextMatch,
    PreviousMatch,
    /// Lines from the last N seconds; 0 means the last lines (tail).
    Since(u32),
    Save,
}

/// Pod list orderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Age,
    Restarts,
    Status,
    /// Worst findings first.
    Problems,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "NAME",
            SortKey::Age => "AGE",
            SortKey::Restarts => "RESTARTS",
            SortKey::Status => "STATUS",
            SortKey::Problems => "PROBLEMS",
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
    bind(Key::Home, Action::Top, "Home", "first row"),
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
        "filter: names, labels, containers, images",
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
        Key::Char('g'),
        Action::Diagram,
        "g",
        "the pod as a picture: containers, volumes, data flow",
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
        Key::Char('s'),
        Action::Shell,
        "s",
        "shell (bash, else sh); :exec CMD runs one",
    ),
    bind(Key::Char('l'), Action::Logs, "l", "logs of the container"),
    bind(
        Key::Char('p'),
        Action::PreviousLogs,
        "p",
        "logs of its previous (crashed) instance",
    ),
    bind(
        Key::Char('a'),
        Action::AllLogs,
        "a",
        "logs of all containers, merged",
    ),
    bind(
        Key::Char('d'),
        Action::Debug,
        "d",
        "debug container targeting it",
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
    bind(
        Key::Char('P'),
        Action::Sort(SortKey::Problems),
        "P",
        "sort by problems, worst first",
    ),
    bind(
        Key::Char('!'),
        Action::ProblemsOnly,
        "!",
        "only pods with problems (again: all)",
    ),
    bind(
        Key::Char('y'),
        Action::Yaml,
        "y",
        "the pod's YAML (x shows env values, / searches)",
    ),
    bind(
        Key::Char('F'),
        Action::PortForward,
        "F",
        "port-forward its next port (again: stop)",
    ),
    bind(
        Key::Ctrl('d'),
        Action::Delete,
        "^d",
        "delete the pod (asks first)",
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

/// The log view's keys; they take precedence over [`BINDINGS`] there.
pub const LOG_BINDINGS: &[Binding] = &[
    bind(
        Key::Char('f'),
        Action::ToggleFollow,
        "f",
        "follow new lines on/off (G also resumes)",
    ),
    bind(Key::Char('G'), Action::Bottom, "", ""),
    bind(
        Key::Char('p'),
        Action::PreviousLogs,
        "p",
        "previous instance, or current",
    ),
    bind(
        Key::Char('a'),
        Action::AllLogs,
        "a",
        "all containers / only the chosen one",
    ),
    bind(Key::Char('t'), Action::ToggleTimestamps, "t", "timestamps"),
    bind(Key::Char('w'), Action::ToggleWrap, "w", "wrap long lines"),
    bind(
        Key::Char('/'),
        Action::Search,
        "/",
        "search (regex); n N next and previous match",
    ),
    bind(Key::Char('n'), Action::NextMatch, "", ""),
    bind(Key::Char('N'), Action::PreviousMatch, "", ""),
    bind(
        Key::Char('&'),
        Action::LogFilter,
        "&",
        "only lines matching a regex (&!re: not matching)",
    ),
    bind(
        Key::Char('0'),
        Action::Since(0),
        "0 1-4",
        "last 500 lines; since 1m, 5m, 15m, 1h",
    ),
    bind(Key::Char('1'), Action::Since(60), "", ""),
    bind(Key::Char('2'), Action::Since(300), "", ""),
    bind(Key::Char('3'), Action::Since(900), "", ""),
    bind(Key::Char('4'), Action::Since(3600), "", ""),
    bind(
        Key::Ctrl('s'),
        Action::Save,
        "^s",
        "save the lines to a file",
    ),
];

/// The action bound to `key`, if any.
pub fn action_for(key: Key) -> Option<Action> {
    BINDINGS.iter().find(|b| b.key == key).map(|b| b.action)
}

/// The action bound to `key` in the log view.
pub fn log_action_for(key: Key) -> Option<Action> {
    LOG_BINDINGS
        .iter()
        .find(|b| b.key == key)
        .map(|b| b.action)
        .or_else(|| action_for(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        for table in [BINDINGS, LOG_BINDINGS] {
            for (i, a) in table.iter().enumerate() {
                assert!(
                    table[i + 1..].iter().all(|b| b.key != a.key),
                    "{:?} is bound twice",
                    a.key
                );
            }
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
