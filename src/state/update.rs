//! `update`: one message in, the new state and the effects out.

use k8s_openapi::jiff::Timestamp;

use super::actions;
use super::help::{self, HelpKey};
use super::log_keys;
use super::prompt::{self, Command};
use super::{
    Action, App, Connection, Effect, Flash, Key, Level, Msg, Outcome, PodView, Prompt, PromptKind,
    Scope, Screen, Source, VolumesView, keymap, pod_view,
};
use crate::model::printing::age;

pub fn update(app: &mut App, msg: Msg) -> Outcome {
    let mut out = Outcome {
        redraw: true,
        effects: Vec::new(),
    };
    match msg {
        Msg::Key(key) => {
            app.flash = None;
            key_press(app, key, &mut out);
        }
        Msg::Pods(pods) => {
            let height = app.list_height();
            app.table.set_pods(pods, height);
        }
        Msg::Connection(c) => {
            out.redraw = app.connection != c;
            app.connection = c;
        }
        Msg::ForbiddenAllNamespaces { reason } => {
            let home = match &app.source {
                Source::Cluster { home_namespace, .. } => home_namespace.clone(),
                Source::Files { .. } => "default".to_string(),
            };
            app.flash = Some(Flash {
                level: Level::Warning,
                text: format!(
                    "not allowed to list pods in all namespaces ({reason}); showing namespace {home} (:ns NAME for another)"
                ),
            });
            set_scope(app, Scope::Namespace(home), &mut out);
        }
        Msg::ContextFailed { context, reason } => {
            app.flash = Some(Flash {
                level: Level::Error,
                text: format!("cannot switch to context {context}: {reason}"),
            });
        }
        Msg::ContextSwitched(source) => {
            app.kubectl.context = match &source {
                Source::Cluster { context, .. } => context.clone(),
                Source::Files { .. } => None,
            };
            app.source = source;
            app.connection = Connection::Connecting;
            app.screen = Screen::List;
            let height = app.list_height();
            app.table.set_pods(Default::default(), height);
        }
        Msg::Tick(now) => {
            let before = clock_texts(app, app.now);
            app.now = now;
            out.redraw = clock_texts(app, now) != before;
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            let height = app.list_height();
            app.table.scroll_into_view(height);
        }
        Msg::Log {
            stream,
            source,
            update,
        } => match &mut app.screen {
            Screen::Logs(view) if view.stream == stream => view.receive(source, update),
            _ => out.redraw = false,
        },
        Msg::ExecEnded {
            container,
            kubectl,
            notice,
            outcome,
        } => actions::exec_ended(app, &container, &kubectl, notice.as_deref(), outcome),
        Msg::Saved(result) => {
            app.flash = Some(match result {
                Ok(path) => Flash {
                    level: Level::Info,
                    text: format!("saved to {path}"),
                },
                Err(e) => Flash {
                    level: Level::Error,
                    text: format!("cannot save the log: {e}"),
                },
            })
        }
    }
    out
}

/// Scroll keys scroll the help when it is taller than the screen; any other key (any key at
/// all when it fits) closes it,
/// and q and Ctrl-C still quit.
fn help_key(app: &mut App, scroll: usize, key: Key, out: &mut Outcome) {
    let (width, height) = app.size;
    let max = help::HelpLayout::new(width).max_scroll(height);
    let page = usize::from(height).saturating_sub(4);
    let action = if max == 0 {
        HelpKey::Close
    } else {
        help::help_key(key, page)
    };
    app.help = match action {
        HelpKey::Scroll(by) => Some(scroll.saturating_add_signed(by).min(max)),
        HelpKey::Top => Some(0),
        HelpKey::Bottom => Some(max),
        HelpKey::Close => {
            if matches!(keymap::action_for(key), Some(Action::Quit)) {
                out.effects.push(Effect::Quit);
            }
            None
        }
    };
}

fn key_press(app: &mut App, key: Key, out: &mut Outcome) {
    if app.prompt.is_some() {
        prompt_key(app, key, out);
        return;
    }
    if app.confirm.is_some() {
        actions::confirm_key(app, key, out);
        return;
    }
    if let Some(scroll) = app.help {
        help_key(app, scroll, key, out);
        return;
    }
    let in_logs = matches!(app.screen, Screen::Logs(_));
    let action = if in_logs {
        keymap::log_action_for(key)
    } else {
        keymap::action_for(key)
    };
    let Some(action) = action else {
        out.redraw = false;
        return;
    };
    let height = app.list_height();
    match action {
        Action::Quit => out.effects.push(Effect::Quit),
        Action::Suspend => out.effects.push(Effect::Suspend),
        Action::Help => app.help = Some(0),
        Action::Command => {
            app.prompt = Some(Prompt {
                kind: PromptKind::Command,
                text: String::new(),
            })
        }
        _ if in_logs => log_keys::log_action(app, action, out),
        Action::Shell | Action::Logs | Action::PreviousLogs | Action::AllLogs | Action::Debug => {
            actions::container_action(app, action, out)
        }
        _ => match &app.screen {
            Screen::List => list_action(app, action, height, out),
            Screen::Pod(_) => pod_action(app, action, out),
            Screen::Volumes(_) => volumes_action(app, action),
            Screen::Logs(_) => {}
        },
    }
}

fn list_action(app: &mut App, action: Action, height: usize, out: &mut Outcome) {
    let page = height.max(1) as isize;
    let table = &mut app.table;
    match action {
        Action::Down => table.move_by(1, height),
        Action::Up => table.move_by(-1, height),
        Action::PageDown => table.move_by(page, height),
        Action::PageUp => table.move_by(-page, height),
        Action::Top => table.select(0, height),
        Action::Bottom => table.select(usize::MAX, height),
        Action::Sort(key) => table.sort_by(key, height),
        Action::Filter => {
            app.prompt = Some(Prompt {
                kind: PromptKind::Filter,
                text: table.filter_text().to_string(),
            })
        }
        Action::Back if !table.filter_text().is_empty() => table.set_filter("", height),
        Action::Open => {
            if let Some(p) = table.selected_pod() {
                app.screen = Screen::Pod(PodView::open(p));
            }
        }
        Action::Volumes => {
            if let Some(p) = table.selected_pod() {
                app.screen = Screen::Volumes(VolumesView {
                    namespace: p.pod.namespace.clone(),
                    name: p.pod.name.clone(),
                    scroll: 0,
                    back: None,
                });
            }
        }
        Action::CopyExec => {
            if let Some(p) = table.selected_pod() {
                let text = app.kubectl.describe(&p.pod);
                copy(app, text, out);
            }
        }
        Action::CopyLogs => {
            let chosen = table.selected_pod().and_then(|p| {
                let c = p.default_container.as_ref()?;
                Some(app.kubectl.logs(&p.pod, &c.name))
            });
            if let Some(text) = chosen {
                copy(app, text, out);
            }
        }
        _ => out.redraw = false,
    }
}

fn pod_action(app: &mut App, action: Action, out: &mut Outcome) {
    let Screen::Pod(view) = &mut app.screen else {
        return;
    };
    let Some(insight) = app.table.find(&view.namespace, &view.name).cloned() else {
        // The pod is gone: only going back makes sense.
        if action == Action::Back {
            app.screen = Screen::List;
        }
        return;
    };
    match action {
        Action::Down => view.move_by(1, &insight),
        Action::Up => view.move_by(-1, &insight),
        Action::Top => view.move_by(isize::MIN / 2, &insight),
        Action::Bottom => view.move_by(isize::MAX / 2, &insight),
        Action::ScrollDetailDown | Action::PageDown => {
            view.detail_scroll = view.detail_scroll.saturating_add(1)
        }
        Action::ScrollDetailUp | Action::PageUp => {
            view.detail_scroll = view.detail_scroll.saturating_sub(1)
        }
        Action::Back => app.screen = Screen::List,
        Action::Volumes => {
            let back = Some(view.clone());
            app.screen = Screen::Volumes(VolumesView {
                namespace: view.namespace.clone(),
                name: view.name.clone(),
                scroll: 0,
                back,
            });
        }
        Action::CopyExec | Action::CopyLogs => {
            if let Some(i) = view.selected_container(&insight) {
                let name = &insight.pod.containers[i].name;
                let text = if action == Action::CopyExec {
                    app.kubectl.exec(&insight.pod, name)
                } else {
                    app.kubectl.logs(&insight.pod, name)
                };
                copy(app, text, out);
            }
        }
        _ => out.redraw = false,
    }
}

fn volumes_action(app: &mut App, action: Action) {
    let Screen::Volumes(view) = &mut app.screen else {
        return;
    };
    match action {
        Action::Down | Action::PageDown | Action::ScrollDetailDown => {
            view.scroll = view.scroll.saturating_add(1)
        }
        Action::Up | Action::PageUp | Action::ScrollDetailUp => {
            view.scroll = view.scroll.saturating_sub(1)
        }
        Action::Top => view.scroll = 0,
        Action::Back | Action::Volumes => {
            app.screen = match view.back.take() {
                Some(pod) => Screen::Pod(pod),
                None => Screen::List,
            }
        }
        _ => {}
    }
}

fn copy(app: &mut App, text: String, out: &mut Outcome) {
    app.flash = Some(Flash {
        level: Level::Info,
        text: format!("copied: {text}"),
    });
    out.effects.push(Effect::Copy(text));
}

fn prompt_key(app: &mut App, key: Key, out: &mut Outcome) {
    let height = app.list_height();
    let Some(prompt) = app.prompt.as_mut() else {
        return;
    };
    match key {
        Key::Char(ch) => prompt.text.push(ch),
        Key::Backspace => {
            if prompt.text.pop().is_none() && prompt.kind == PromptKind::Command {
                app.prompt = None;
                return;
            }
        }
        Key::Ctrl('u') => prompt.text.clear(),
        Key::Ctrl('c') => {
            out.effects.push(Effect::Quit);
            return;
        }
        Key::Esc => {
            let kind = prompt.kind;
            app.prompt = None;
            match kind {
                PromptKind::Filter => app.table.set_filter("", height),
                PromptKind::LogSearch | PromptKind::LogFilter => {
                    log_keys::prompt_changed(app, kind, "", false)
                }
                PromptKind::Command => {}
            }
            return;
        }
        Key::Tab if prompt.kind == PromptKind::Command => {
            prompt.text =
                prompt::complete(&prompt.text, &app.table.namespaces(), app.source.contexts());
            return;
        }
        Key::Enter => {
            let prompt = app.prompt.take().expect("checked above");
            match prompt.kind {
                PromptKind::Command => run_command(app, &prompt.text, out),
                PromptKind::LogSearch | PromptKind::LogFilter => {
                    log_keys::prompt_changed(app, prompt.kind, &prompt.text, true)
                }
                PromptKind::Filter => {}
            }
            return;
        }
        _ => {
            out.redraw = false;
            return;
        }
    }
    let (kind, text) = (prompt.kind, prompt.text.clone());
    match kind {
        PromptKind::Filter => {
            app.table.set_filter(&text, height);
            if let Screen::Logs(_) = app.screen {
                out.effects.push(super::Effect::StopLogs);
            }
            if !matches!(app.screen, Screen::List) {
                app.screen = Screen::List;
            }
        }
        PromptKind::LogSearch | PromptKind::LogFilter => {
            log_keys::prompt_changed(app, kind, &text, false)
        }
        PromptKind::Command => {}
    }
}

fn run_command(app: &mut App, text: &str, out: &mut Outcome) {
    match prompt::parse_command(text) {
        // An empty command line just closes the prompt.
        Err(_) if text.trim().is_empty() => {}
        Err(message) => {
            app.flash = Some(Flash {
                level: Level::Error,
                text: message,
            })
        }
        Ok(Command::Quit) => out.effects.push(Effect::Quit),
        Ok(Command::Exec(argv)) => actions::exec_command(app, argv, out),
        Ok(Command::Help) => app.help = Some(0),
        Ok(Command::Namespace(ns)) => {
            let scope = ns.map_or(Scope::All, Scope::Namespace);
            if let Screen::Logs(_) = app.screen {
                out.effects.push(Effect::StopLogs);
            }
            app.screen = Screen::List;
            set_scope(app, scope, out);
        }
        Ok(Command::Context(name)) => match &app.source {
            Source::Files { .. } => {
                app.flash = Some(Flash {
                    level: Level::Error,
                    text: "no cluster here: podscope is showing manifest files (-f)".into(),
                })
            }
            Source::Cluster { contexts, .. } if !contexts.contains(&name) => {
                app.flash = Some(Flash {
                    level: Level::Error,
                    text: format!(
                        "no context {name} in the kubeconfig (known: {})",
                        contexts.join(", ")
                    ),
                })
            }
            Source::Cluster { .. } => out.effects.push(Effect::SwitchContext(name)),
        },
    }
}

fn set_scope(app: &mut App, scope: Scope, out: &mut Outcome) {
    let height = app.list_height();
    app.table.set_scope(scope.clone(), height);
    if matches!(app.source, Source::Cluster { .. }) {
        app.connection = Connection::Connecting;
        out.effects.push(Effect::Rewatch(scope));
    }
}

/// Every text on screen that depends on the clock; a tick redraws only when one changes.
fn clock_texts(app: &App, now: Timestamp) -> Vec<String> {
    match &app.screen {
        Screen::List => app
            .table
            .visible(app.list_height())
            .flat_map(|(_, p)| [age(&p.pod, now), p.summary.restarts_cell(now)])
            .collect(),
        Screen::Pod(view) => app
            .table
            .find(&view.namespace, &view.name)
            .map(|p| {
                let mut texts = vec![age(&p.pod, now)];
                texts.extend(
                    p.pod
                        .containers
                        .iter()
                        .filter_map(|c| c.status.as_ref())
                        .filter_map(|s| pod_view::state_age(&s.state, now)),
                );
                texts
            })
            .unwrap_or_default(),
        Screen::Volumes(_) | Screen::Logs(_) => Vec::new(),
    }
}
