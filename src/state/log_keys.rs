//! Keys in the log view: scrolling and following, the instance and range asked for,
//! timestamps and wrapping, search and filter, saving.

use super::actions::{restart_logs, shell};
use super::log_buffer::Pattern;
use super::log_view::Range;
use super::{Action, App, Effect, Flash, Level, Outcome, Prompt, PromptKind, Screen};

/// Rows of the screen the log lines do not use: the header, the log's title and kubectl
/// command, and the footer.
pub const LOG_CHROME: u16 = 4;

fn area(app: &App) -> (usize, usize) {
    (
        app.size.0 as usize,
        app.size.1.saturating_sub(LOG_CHROME) as usize,
    )
}

pub(super) fn log_action(app: &mut App, action: Action, out: &mut Outcome) {
    let (width, height) = area(app);
    let context = app.kubectl.context.clone();
    let Screen::Logs(view) = &mut app.screen else {
        return;
    };
    let page = height.max(1) as isize;
    match action {
        Action::Up | Action::ScrollDetailUp => view.scroll(-1, width, height),
        Action::Down | Action::ScrollDetailDown => view.scroll(1, width, height),
        Action::PageUp => view.scroll(-page, width, height),
        Action::PageDown => view.scroll(page, width, height),
        Action::Top => view.top = view.buffer.kept_number(0),
        Action::Bottom => view.top = None,
        Action::ToggleFollow => {
            view.top = match view.top {
                Some(_) => None,
                None => view.follow_top(width, height),
            }
        }
        Action::ToggleTimestamps => view.timestamps = !view.timestamps,
        Action::ToggleWrap => view.wrap = !view.wrap,
        Action::Search => {
            let text = view
                .search
                .as_ref()
                .map(|p| p.text.clone())
                .unwrap_or_default();
            app.prompt = Some(Prompt {
                kind: PromptKind::LogSearch,
                text,
            });
        }
        Action::LogFilter => {
            let text = view.filter_text();
            app.prompt = Some(Prompt {
                kind: PromptKind::LogFilter,
                text,
            });
        }
        Action::NextMatch | Action::PreviousMatch => {
            let forward = action == Action::NextMatch;
            if view.search.is_none() {
                app.flash = Some(Flash {
                    level: Level::Info,
                    text: "no search yet: / to search".into(),
                });
            } else if !view.jump_to_match(forward, width, height) {
                let which = if forward { "below" } else { "above" };
                app.flash = Some(Flash {
                    level: Level::Info,
                    text: format!("no match {which}"),
                });
            }
        }
        Action::Since(seconds) => {
            view.range = if seconds == 0 {
                Range::Tail(super::log_view::DEFAULT_TAIL)
            } else {
                Range::Since(seconds)
            };
            restart_logs(&mut app.streams, view, out);
        }
        Action::PreviousLogs | Action::AllLogs => {
            if action == Action::PreviousLogs {
                view.previous = !view.previous;
            } else {
                view.all = !view.all;
            }
            restart_logs(&mut app.streams, view, out);
        }
        Action::Save => {
            let name = format!(
                "{}_{}_{}.log",
                view.namespace,
                view.pod,
                if view.all {
                    "all"
                } else {
                    view.container.as_str()
                }
            );
            out.effects.push(Effect::Save {
                name,
                text: view.saved_text(),
            });
        }
        Action::CopyExec | Action::CopyLogs => {
            let text = view.kubectl(context.as_deref());
            app.flash = Some(Flash {
                level: Level::Info,
                text: format!("copied: {text}"),
            });
            out.effects.push(Effect::Copy(text));
        }
        Action::Shell => {
            let (ns, pod, container) = (
                view.namespace.clone(),
                view.pod.clone(),
                view.container.clone(),
            );
            match app.table.find(&ns, &pod).cloned() {
                Some(insight) => shell(app, &insight, &container, None, None, out),
                None => {
                    app.flash = Some(Flash {
                        level: Level::Error,
                        text: format!("pod {pod} is gone"),
                    })
                }
            }
        }
        Action::Debug => super::actions::container_action(app, action, out),
        Action::Back => {
            if view.search.take().is_none() {
                out.effects.push(Effect::StopLogs);
                app.screen = match view.back.take() {
                    Some(pod) => Screen::Pod(pod),
                    None => Screen::List,
                };
            }
        }
        _ => out.redraw = false,
    }
}

/// The search or filter as it is typed; `enter` also jumps to a match.
pub(super) fn prompt_changed(app: &mut App, kind: PromptKind, text: &str, enter: bool) {
    let (width, height) = area(app);
    let Screen::Logs(view) = &mut app.screen else {
        return;
    };
    match kind {
        PromptKind::LogSearch => {
            view.search = Pattern::new(text);
            if enter && view.search.is_some() {
                let forward = view.top.is_some();
                if !view.jump_to_match(forward, width, height) {
                    app.flash = Some(Flash {
                        level: Level::Info,
                        text: format!("no line matches {text}"),
                    });
                }
            }
        }
        PromptKind::LogFilter => view.set_filter(text),
        _ => {}
    }
    if let Some(p) = view.search.as_ref().filter(|p| p.literal && enter) {
        app.flash = Some(Flash {
            level: Level::Info,
            text: format!("not a valid regex, matching {:?} literally", p.text),
        });
    }
}
