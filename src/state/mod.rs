//! Pure UI state and `update(state, msg) -> effects`. No I/O, no tokio, no ratatui: the event
//! loop feeds messages in (keys, pod snapshots, connection changes, clock ticks) and carries
//! the effects out (re-watch, switch context, copy, suspend, quit).

mod actions;
pub mod commands;
pub mod delete;
pub mod diagram_view;
pub mod forward;
pub mod fuzzy;
pub mod help;
pub mod keymap;
pub mod log_buffer;
mod log_keys;
pub mod log_view;
pub mod mouse;
pub mod pod_details;
pub mod pod_view;
pub mod pods;
pub mod prompt;
mod prompt_keys;
mod update;
pub mod wrap;
pub mod yaml_view;

use k8s_openapi::jiff::Timestamp;

pub use actions::{DebugMount, DebugRequest, ExecOutcome, ExecRequest};
pub use commands::KubectlTarget;
pub use keymap::{Action, Key, SortKey};
pub use log_keys::LOG_CHROME;
pub use log_view::{LogRequest, LogUpdate, LogView};
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
    /// The first list is arriving: the pods so far are on screen.
    Syncing {
        loaded: usize,
        expected: Option<usize>,
    },
    Synced,
    /// The watch failed and is being retried with back-off.
    Reconnecting {
        reason: String,
        attempt: u32,
        /// Since when the pods shown are stale.
        since: Timestamp,
    },
    /// The manifests are the pods: nothing to connect to.
    Files,
}

/// The screen under the prompt and the help.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    List,
    Pod(PodView),
    Volumes(VolumesView),
    Diagram(diagram_view::DiagramView),
    Logs(Box<LogView>),
    Yaml(Box<yaml_view::YamlView>),
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
    /// The help overlay, when open: how far it is scrolled.
    pub help: Option<usize>,
    pub flash: Option<Flash>,
    pub now: Timestamp,
    /// Terminal size in cells (width, height).
    pub size: (u16, u16),
    pub kubectl: KubectlTarget,
    /// Draw the diagram with ASCII only (`--ascii` or the config's `ascii`).
    pub ascii: bool,
    /// Take the mouse from the terminal (not with `--no-mouse` or the config's `mouse = false`).
    pub mouse: bool,
    /// `--readonly`: no exec, no debug containers.
    pub readonly: bool,
    /// The image of debug containers (`--debug-image`).
    pub debug_image: String,
    /// A debug container waiting for the user's yes (ephemeral containers cannot be removed).
    pub confirm: Option<DebugRequest>,
    /// A pod waiting for the user's yes before it is deleted.
    pub confirm_delete: Option<delete::DeleteRequest>,
    /// The last log stream number handed out.
    pub streams: u64,
    /// Lines a log view keeps.
    pub log_capacity: usize,
    /// The events, log tails and findings of the pod on screen (on a cluster).
    pub details: Option<pod_details::PodDetails>,
    /// CPU and memory in use per container, from the metrics API.
    pub usage: std::sync::Arc<crate::model::usage::UsageMap>,
    pub metrics: crate::model::usage::MetricsStatus,
    /// Port-forwards started here (`F`), stopped on quit.
    pub forwards: Vec<forward::Forward>,
}

/// The debug image when none is given (what `kubectl debug --image=busybox` uses).
pub const DEFAULT_DEBUG_IMAGE: &str = "busybox";

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
            help: None,
            flash: None,
            now,
            size: (80, 24),
            kubectl,
            ascii: false,
            mouse: true,
            readonly: false,
            debug_image: DEFAULT_DEBUG_IMAGE.to_string(),
            confirm: None,
            confirm_delete: None,
            streams: 0,
            log_capacity: log_view::DEFAULT_CAPACITY,
            details: None,
            usage: Default::default(),
            metrics: Default::default(),
            forwards: Vec::new(),
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
    /// A click on something drawn (the terminal layer knows what is where).
    Click {
        target: mouse::Target,
        double: bool,
    },
    /// The mouse wheel, notches down (positive) or up.
    Wheel(i8),
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
    /// What log stream `stream` reported for its `source`-th container.
    Log {
        stream: u64,
        source: usize,
        update: LogUpdate,
    },
    /// An exec session (or the debug container's) is over; the TUI has the terminal again.
    ExecEnded {
        container: String,
        kubectl: String,
        /// kubectl's default-container notice, shown with the result.
        notice: Option<String>,
        outcome: ExecOutcome,
    },
    /// The log lines were written to this file, or could not be.
    Saved(Result<String, String>),
    /// The pod's YAML (values masked, values shown) or why it could not be fetched.
    Yaml {
        namespace: String,
        name: String,
        result: Result<(String, String), String>,
    },
    /// A port-forward listens on this local port, or could not start.
    Forwarding {
        request: forward::ForwardRequest,
        result: Result<u16, String>,
    },
    /// What the server said to a pod's deletion.
    Deleted {
        request: delete::DeleteRequest,
        result: Result<(), String>,
    },
    /// The metrics API's latest usage for the pods in scope.
    Usage {
        usage: std::sync::Arc<crate::model::usage::UsageMap>,
        status: crate::model::usage::MetricsStatus,
    },
    /// What the watch of the open pod reported.
    PodNews {
        namespace: String,
        name: String,
        news: pod_details::PodNews,
    },
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
    /// Hand the terminal to an exec session, then take it back.
    Exec(ExecRequest),
    /// Add an ephemeral container, wait for it to run, and exec into it.
    Debug(DebugRequest),
    /// Stream logs (replacing any stream running).
    Logs(LogRequest),
    StopLogs,
    /// Watch this pod's events (and fetch log tails for it), replacing any watched before.
    WatchPod {
        namespace: String,
        name: String,
    },
    StopWatchingPod,
    /// Delete the pod (the user said yes).
    DeletePod(delete::DeleteRequest),
    /// Listen on 127.0.0.1 and forward each connection to the pod's port.
    PortForward(forward::ForwardRequest),
    StopForward(forward::ForwardRequest),
    /// Fetch the pod for the YAML view.
    FetchYaml {
        namespace: String,
        name: String,
    },
    /// The last lines of a container of the watched pod.
    LogTail {
        container: String,
        previous: bool,
    },
    /// Write the text to a new file named after `name` in podscope's log directory.
    Save {
        name: String,
        text: String,
    },
    Suspend,
    Quit,
}

/// The result of an update: whether the screen must be drawn again, and the effects.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub redraw: bool,
    pub effects: Vec<Effect>,
}

/// `since 20:31:05 UTC (2m ago)`: when the pods shown were last known right.
pub fn stale_for(since: Timestamp, now: Timestamp) -> String {
    let shown = since.to_string();
    let clock = shown.get(11..19).unwrap_or(&shown);
    let ago = now.as_second().saturating_sub(since.as_second()).max(0);
    format!(
        "since {clock} UTC ({} ago)",
        crate::model::printing::human_duration(ago)
    )
}
