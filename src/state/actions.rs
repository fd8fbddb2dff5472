//! Acting on a container: a shell (exec), its logs, a debug container. Each works on the
//! container selected in the pod view, or on kubectl's default container from the list (with
//! kubectl's "Defaulted container" notice), and says what kubectl command does the same.

use std::sync::Arc;

use super::log_view::LogView;
use super::{App, Effect, Flash, Level, Outcome, PodView, Screen, Source};
use crate::model::pod::{ContainerStateKind, Section};
use crate::model::{PodInsight, default_container};

/// An exec session to run; `command: None` is the interactive shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub command: Option<Vec<String>>,
    /// The kubectl command that does the same, shown afterwards.
    pub kubectl: String,
    /// kubectl's "Defaulted container" notice when the container was not chosen.
    pub notice: Option<String>,
}

/// A volume mount copied from the debug container's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugMount {
    pub volume: String,
    pub path: String,
    pub read_only: bool,
}

/// An ephemeral container to add and open a shell in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugRequest {
    pub namespace: String,
    pub pod: String,
    pub target: String,
    pub image: String,
    /// The target's mounts, used when the user asks for them.
    pub mounts: Vec<DebugMount>,
    pub with_mounts: bool,
}

impl DebugRequest {
    /// `kubectl debug -it POD --target=C --image=IMAGE`, plus the mounts as `--custom`.
    pub fn kubectl(&self, context: Option<&str>) -> String {
        use super::commands::quote;
        let mut s = format!(
            "kubectl debug -it {} -n {}",
            quote(&self.pod),
            quote(&self.namespace)
        );
        if let Some(ctx) = context {
            s.push_str(&format!(" --context {}", quote(ctx)));
        }
        s.push_str(&format!(
            " --image={} --target={}",
            quote(&self.image),
            quote(&self.target)
        ));
        if self.with_mounts && !self.mounts.is_empty() {
            let mounts: Vec<String> = self
                .mounts
                .iter()
                .map(|m| {
                    let ro = if m.read_only {
                        ",\"readOnly\":true"
                    } else {
                        ""
                    };
                    format!(
                        "{{\"name\":\"{}\",\"mountPath\":\"{}\"{ro}}}",
                        m.volume, m.path
                    )
                })
                .collect();
            s.push_str(&format!(
                " --custom=mounts.json   # mounts.json: {{\"volumeMounts\":[{}]}}",
                mounts.join(",")
            ));
        }
        s
    }
}

/// How an exec session went, for the message shown when the TUI is back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecOutcome {
    Exited(i32),
    /// The image does not have the program (no shell, say); empty when not named.
    NoExecutable {
        program: String,
    },
    /// The API refused to start the session.
    Refused {
        forbidden: bool,
        message: String,
    },
    Failed(String),
    /// The connection dropped in the middle.
    Lost(String),
}

/// The container an action means here: the selected one in the pod view, the log view's,
/// or kubectl's default from the list (with its notice).
pub(super) fn chosen(app: &App) -> Result<(Arc<PodInsight>, String, Option<String>), String> {
    let find = |ns: &str, name: &str| {
        app.table
            .find(ns, name)
            .cloned()
            .ok_or_else(|| format!("pod {name} is gone"))
    };
    match &app.screen {
        Screen::Pod(view) => {
            let insight = find(&view.namespace, &view.name)?;
            let i = view
                .selected_container(&insight)
                .ok_or("this pod has no containers")?;
            let name = insight.pod.containers[i].name.clone();
            Ok((insight, name, None))
        }
        Screen::Logs(view) => Ok((
            find(&view.namespace, &view.pod)?,
            view.container.clone(),
            None,
        )),
        Screen::Volumes(view) => default_of(find(&view.namespace, &view.name)?),
        Screen::Diagram(view) => {
            let insight = find(&view.namespace, &view.name)?;
            let d = crate::model::diagram::diagram(&insight);
            let name = view
                .container(&d)
                .ok_or("this pod has no containers")?
                .to_string();
            Ok((insight, name, None))
        }
        Screen::Yaml(view) => default_of(find(&view.namespace, &view.name)?),
        Screen::List => default_of(app.table.selected_pod().cloned().ok_or("no pod selected")?),
    }
}

fn default_of(
    insight: Arc<PodInsight>,
) -> Result<(Arc<PodInsight>, String, Option<String>), String> {
    let chosen = default_container(&insight.pod)
        .ok_or_else(|| format!("pod {} does not have any containers", insight.pod.name))?;
    Ok((insight, chosen.name, chosen.notice))
}

/// "count has no shell in its image (sh not found)", "ps is not in count's image".
fn what_is_missing(container: &str, program: &str) -> String {
    let name = program.rsplit('/').next().unwrap_or(program);
    match name {
        "" => format!("{container}'s image lacks the program (no shell?)"),
        "sh" | "bash" | "ash" | "dash" | "zsh" => {
            format!("{container} has no shell in its image ({program} not found)")
        }
        _ => format!("{program} is not in {container}'s image"),
    }
}

fn flash(app: &mut App, level: Level, text: impl Into<String>) {
    app.flash = Some(Flash {
        level,
        text: text.into(),
    });
}

/// Why this app cannot change or stream anything, if it cannot.
fn no_cluster(app: &App) -> Option<&'static str> {
    matches!(app.source, Source::Files { .. }).then_some(
        "no cluster here: podscope is showing manifest files (-f); exec, logs and debug containers need a cluster",
    )
}

/// `s`, `l`, `p`, `a`, `d` outside the log view.
pub(super) fn container_action(app: &mut App, action: super::Action, out: &mut Outcome) {
    use super::Action;
    if let Some(why) = no_cluster(app) {
        return flash(app, Level::Error, why);
    }
    let (insight, container, notice) = match chosen(app) {
        Ok(c) => c,
        Err(e) => return flash(app, Level::Error, e),
    };
    match action {
        Action::Shell => shell(app, &insight, &container, None, notice, out),
        Action::Debug => ask_debug(app, &insight, &container),
        Action::Logs | Action::PreviousLogs | Action::AllLogs => {
            let back = match &app.screen {
                Screen::Pod(v) => Some(v.clone()),
                _ => None,
            };
            let all = action == Action::AllLogs;
            let previous = action == Action::PreviousLogs;
            open_logs(app, &insight, &container, all, previous, back, out);
            if let Some(n) = notice.filter(|_| !all) {
                flash(app, Level::Info, n);
            }
        }
        _ => {}
    }
}

/// `:exec CMD ...` on the chosen container.
pub(super) fn exec_command(app: &mut App, argv: Vec<String>, out: &mut Outcome) {
    if let Some(why) = no_cluster(app) {
        return flash(app, Level::Error, why);
    }
    match chosen(app) {
        Ok((insight, container, notice)) => {
            shell(app, &insight, &container, Some(argv), notice, out)
        }
        Err(e) => flash(app, Level::Error, e),
    }
}

pub(super) fn shell(
    app: &mut App,
    insight: &PodInsight,
    container: &str,
    command: Option<Vec<String>>,
    notice: Option<String>,
    out: &mut Outcome,
) {
    if app.readonly {
        return flash(
            app,
            Level::Error,
            "read-only (--readonly): exec is turned off",
        );
    }
    let Some(c) = insight.pod.container(container) else {
        return flash(
            app,
            Level::Error,
            format!("no container {container} in pod {}", insight.pod.name),
        );
    };
    if !matches!(
        c.state_kind(),
        ContainerStateKind::Running | ContainerStateKind::Starting
    ) {
        let state = c
            .status
            .as_ref()
            .map_or("no status yet".to_string(), |s| s.state.summary());
        let previous = c.status.as_ref().is_some_and(|s| s.restart_count > 0);
        let offer = if previous {
            "l for its logs, p for its previous instance's"
        } else {
            "l for its logs"
        };
        return flash(
            app,
            Level::Error,
            format!("{container} is not running ({state}): nothing to exec into; {offer}"),
        );
    }
    let kubectl = match &command {
        Some(argv) => app.kubectl.exec_command(&insight.pod, container, argv),
        None => app.kubectl.exec(&insight.pod, container),
    };
    out.effects.push(Effect::Exec(ExecRequest {
        namespace: insight.pod.namespace.clone(),
        pod: insight.pod.name.clone(),
        container: container.to_string(),
        command,
        kubectl,
        notice,
    }));
}

fn ask_debug(app: &mut App, insight: &PodInsight, container: &str) {
    if app.readonly {
        return flash(
            app,
            Level::Error,
            "read-only (--readonly): debug containers are turned off",
        );
    }
    let Some(c) = insight.pod.container(container) else {
        return;
    };
    if c.section == Section::Ephemeral {
        return flash(
            app,
            Level::Error,
            format!("{container} is a debug container already: s opens a shell in it"),
        );
    }
    let mounts = c
        .mounts
        .iter()
        .filter(|m| m.sub_path.is_none() && m.sub_path_expr.is_none())
        .map(|m| super::DebugMount {
            volume: m.volume.clone(),
            path: m.path.clone(),
            read_only: m.read_only,
        })
        .collect();
    app.confirm = Some(DebugRequest {
        namespace: insight.pod.namespace.clone(),
        pod: insight.pod.name.clone(),
        target: container.to_string(),
        image: app.debug_image.clone(),
        mounts,
        with_mounts: true,
    });
}

/// The answer to "add a debug container?": y with the target's mounts, n without, esc no.
pub(super) fn confirm_key(app: &mut App, key: super::Key, out: &mut Outcome) {
    use super::Key;
    let Some(mut request) = app.confirm.take() else {
        return;
    };
    match key {
        Key::Char('y') | Key::Enter => request.with_mounts = true,
        Key::Char('n') => request.with_mounts = false,
        Key::Esc | Key::Char('q') | Key::Ctrl('c') => return,
        _ => {
            app.confirm = Some(request);
            out.redraw = false;
            return;
        }
    }
    flash(
        app,
        Level::Info,
        format!(
            "starting a debug container ({}) in {}…",
            request.image, request.pod
        ),
    );
    out.effects.push(Effect::Debug(request));
}

/// The TUI is back from an exec session: say how it went and what to do next.
pub(super) fn exec_ended(
    app: &mut App,
    container: &str,
    kubectl: &str,
    notice: Option<&str>,
    outcome: ExecOutcome,
) {
    let notice = notice.map(|n| format!("{n} · ")).unwrap_or_default();
    let (level, text) = match outcome {
        ExecOutcome::Exited(0) => (
            Level::Info,
            format!("{notice}{container}: session ended, exit 0 · {kubectl}"),
        ),
        ExecOutcome::Exited(code) => (
            Level::Warning,
            format!("{notice}{container}: exit code {code} · {kubectl}"),
        ),
        ExecOutcome::NoExecutable { program } => (
            Level::Error,
            format!(
                "{}: d starts a debug container ({}) that targets it",
                what_is_missing(container, &program),
                app.debug_image
            ),
        ),
        ExecOutcome::Refused {
            forbidden: true,
            message,
        } => (
            Level::Error,
            format!("not allowed to exec into {container} (RBAC: create pods/exec): {message}"),
        ),
        ExecOutcome::Refused { message, .. } => (
            Level::Error,
            format!("cannot exec into {container}: {message}"),
        ),
        ExecOutcome::Failed(message) => (Level::Error, format!("{container}: {message}")),
        ExecOutcome::Lost(reason) => (
            Level::Error,
            format!(
                "lost the connection to {container} mid-session ({reason}); the terminal is restored"
            ),
        ),
    };
    flash(app, level, text);
}

pub(super) fn open_logs(
    app: &mut App,
    insight: &PodInsight,
    container: &str,
    all: bool,
    previous: bool,
    back: Option<PodView>,
    out: &mut Outcome,
) {
    let mut view = LogView::open(insight, container, all, previous);
    view.buffer = super::log_buffer::LogBuffer::new(app.log_capacity);
    view.back = back;
    restart_logs(&mut app.streams, &mut view, out);
    app.screen = Screen::Logs(Box::new(view));
}

/// Ask for a fresh stream for what the view now shows.
pub(super) fn restart_logs(streams: &mut u64, view: &mut LogView, out: &mut Outcome) {
    *streams += 1;
    out.effects.push(Effect::Logs(view.request(*streams)));
}
