//! Pure UI state and `update(state, msg) -> effects`. No I/O, no tokio, no ratatui: the event
//! loop feeds messages in (keys, pod snapshots, connection changes, clock ticks) and carries
//! the effects out (re-watch, switch context, copy, suspend, quit).

pub mod commands;
pub mod fuzzy;
pub mod keymap;
pub mod pod_view;
pub mod pods;
pub mod prompt;
mod update;

use k8s_openapi::jiff::Timestamp;

pub use commands::KubectlTarget;
pub use keymap::{Action, Key, SortKey};
pub use pod_view::{Group, PodView, display_order};
pub use pods::{PodSet, PodTable, Scope, pod_set};
pub use prompt::{Prompt, PromptKind};
pub use update::update;

/// Rows of the screen the pod list does not use: the header line, the column titles and the
/// footer line.
pub const LIST_CHROME: u16 = 3;

/// Where the pods come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Cluster {
        /// The kubeconfig context in use.
        context: Option<String>,
        server: String,
        /// Every context in the kubeconfig, for `:ctx`.
        contexts: Vec<String>,
        /// The context's namespace, offered when listing all namespaces is forbidden.
        home_namespace: String,
    },
    Files {
        paths: Vec<String>,
    },
}

impl Source {
    /// The API server's URL (empty for manifest files).
    pub fn server(&self) -> &str {
        match self {
            Source::Cluster { server, .. } => server,
            Source::Files { .. } => "",
        }
    }

    /// The kubeconfig's contexts, for `:ctx` (none for manifest files).
    pub fn contexts(&self) -> &[String] {
        match self {
            Source::Cluster { contexts, .. } => contexts,
            Source::Files { .. } => &[],
        }
    }
}

/// The state of the pod feed, always shown in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Synced,
    /// The watch failed and is being retried with back-off.
    Reconnecting {
        reason: String,
        attempt: u32,
    },
    /// The manifests are the pods: nothing to connect to.
    Files,
}

/// The screen under the prompt and the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    List,
    Pod(PodView),
    Volumes(VolumesView),
}

/// The volumes of one pod; `back` is the pod view it was opened from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumesView {
    pub namespace: String,
    pub name: String,
    pub scroll: u16,
    pub back: Option<PodView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A one-line message in the footer, until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
}

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    pub source: Source,
    pub connection: Connection,
    pub table: PodTable,
    pub screen: Screen,
    pub prompt: Option<Prompt>,
    pub help: bool,
    pub flash: Option<Flash>,
    pub now: Timestamp,
    /// Terminal size in cells (width, height).
    pub size: (u16, u16),
    pub kubectl: KubectlTarget,
}

impl App {
    pub fn new(source: Source, scope: Scope, now: Timestamp) -> App {
        let connection = match source {
            Source::Files { .. } => Connection::Files,
            Source::Cluster { .. } => Connection::Connecting,
        };
        let kubectl = KubectlTarget {
            context: match &source {
                Source::Cluster { context, .. } => context.clone(),
                Source::Files { .. } => None,
            },
        };
        App {
            source,
            connection,
            table: PodTable::new(scope),
            screen: Screen::List,
            prompt: None,
            help: false,
            flash: None,
            now,
            size: (80, 24),
            kubectl,
        }
    }

    /// How many pod rows fit on screen.
    pub fn list_height(&self) -> usize {
        self.size.1.saturating_sub(LIST_CHROME) as usize
    }
}

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Pods(PodSet),
    Connection(Connection),
    /// Listing pods in all namespaces was refused (RBAC).
    ForbiddenAllNamespaces {
        reason: String,
    },
    /// The context switch asked for could not be made.
    ContextFailed {
        context: String,
        reason: String,
    },
    /// A context switch succeeded: the new context's details.
    ContextSwitched(Source),
    Tick(Timestamp),
    Resize(u16, u16),
}

/// What the event loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Watch pods again with this scope.
    Rewatch(Scope),
    /// Connect with another kubeconfig context and watch there.
    SwitchContext(String),
    /// Put the text on the clipboard (OSC 52).
    Copy(String),
    Suspend,
    Quit,
}

/// The result of an update: whether the screen must be drawn again, and the effects.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub redraw: bool,
    pub effects: Vec<Effect>,
}
