//! `update`: one message in, the new state and the effects out.

use k8s_openapi::jiff::Timestamp;

use super::actions;
use super::help::{self, HelpKey};
use super::log_keys;
use super::pod_details;
use super::prompt_keys;
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
            pod_details::follow_screen(app, &mut out);
        }
        Msg::Click { target, double } => {
            app.flash = None;
            super::mouse::click(app, target, double, &mut out);
            pod_details::follow_screen(app, &mut out);
        }
        Msg::Wheel(notches) => {
            if matches!(app.screen, Screen::Yaml(_)) && app.help.is_none() {
                let key = if notches > 0 { Key::Down } else { Key::Up };
                for _ in 0..3 * notches.unsigned_abs() {
                    key_press(app, key, &mut out);
                }
            } else {
                super::mouse::wheel(app, notches, &mut out);
            }
        }
        Msg::Pods(pods) => {
            let height = app.list_height();
            app.table.set_pods(pods, height);
            pod_details::follow_screen(app, &mut out);
            pod_details::refresh(app, &mut out);
        }
        Msg::PodNews {
            namespace,
            name,
            news,
        } => pod_details::receive(app, &namespace, &name, news, &mut out),
        Msg::Yaml {
            namespace,
            name,
            result,
        } => super::yaml_view::receive(app, &namespace, &name, result),
        Msg::Deleted { request, result } => super::delete::answered(app, &request, result),
        Msg::Forwarding { request, result } => super::forward::reported(app, &request, result),
        Msg::Usage { usage, status } => {
            // Only the pod view shows usage.
            out.redraw = !matches!(app.screen, Screen::List);
            app.usage = usage;
            app.metrics = status;
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
            prompt_keys::set_scope(app, Scope::Namespace(home), &mut out);
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
            pod_details::follow_screen(app, &mut out);
        }
        Msg::Tick(now) => {
            let before = clock_texts(app, app.now);
            app.now = now;
            out.redraw = clock_texts(app, now) != before;
            pod_details::refresh(app, &mut out);
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
/// all when it fits) closes it, and q and Ctrl-C still quit.
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

pub(super) fn key_press(app: &mut App, key: Key, out: &mut Outcome) {
    if app.prompt.is_some() {
        prompt_keys::prompt_key(app, key, out);
        return;
    }
    if app.confirm.is_some() {
        actions::confirm_key(app, key, out);
        return;
    }
    if app.confirm_delete.is_some() {
        super::delete::answer(app, key, out);
        return;
    }
    if let Some(scroll) = app.help {
        help_key(app, scroll, key, out);
        return;
    }
    if matches!(app.screen, Screen::Yaml(_)) {
        super::yaml_view::key(app, key, out);
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
    act(app, action, out);
}

/// Do what `action` asks on the screen shown, as its key would.
pub(super) fn act(app: &mut App, action: Action, out: &mut Outcome) {
    let in_logs = matches!(app.screen, Screen::Logs(_));
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
        Action::Yaml => super::yaml_view::open(app, out),
        Action::Delete => super::delete::ask(app),
        Action::PortForward => super::forward::toggle(app, out),
        Action::Diagram if !matches!(app.screen, Screen::Diagram(_)) => {
            super::diagram_view::open(app)
        }
        Action::CopyExec | Action::CopyLogs if matches!(app.screen, Screen::Diagram(_)) => {
            match actions::chosen(app) {
                Ok((insight, name, _)) => {
                    let text = if action == Action::CopyExec {
                        app.kubectl.exec(&insight.pod, &name)
                    } else {
                        app.kubectl.logs(&insight.pod, &name)
                    };
                    copy(app, text, out);
                }
                Err(text) => {
                    app.flash = Some(Flash {
                        level: Level::Warning,
                        text,
                    })
                }
            }
        }
        Action::Shell | Action::Logs | Action::PreviousLogs | Action::AllLogs | Action::Debug => {
            actions::container_action(app, action, out)
        }
        _ => match &app.screen {
            Screen::List => list_action(app, action, height, out),
            Screen::Pod(_) => pod_action(app, action, out),
            Screen::Volumes(_) => volumes_action(app, action),
            Screen::Diagram(_) => super::diagram_view::action(app, action),
            Screen::Logs(_) | Screen::Yaml(_) => {}
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
        Action::ProblemsOnly => table.toggle_problems_only(height),
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

/// Every text on screen that depends on the clock; a tick redraws only when one changes.
fn clock_texts(app: &App, now: Timestamp) -> Vec<String> {
    // The header says for how long the pods have been stale.
    let stale = match &app.connection {
        Connection::Reconnecting { since, .. } => Some(super::stale_for(*since, now)),
        _ => None,
    };
    let mut texts: Vec<String> = stale.into_iter().collect();
    texts.extend(screen_clock_texts(app, now));
    texts
}

fn screen_clock_texts(app: &App, now: Timestamp) -> Vec<String> {
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
        Screen::Volumes(_) | Screen::Diagram(_) | Screen::Logs(_) | Screen::Yaml(_) => Vec::new(),
    }
}
