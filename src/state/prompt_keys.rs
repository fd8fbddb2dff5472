//! Keys typed into a prompt (the pod filter, the `:` command line, the log view's search
//! and filter), and what an entered command does.

use super::actions;
use super::log_keys;
use super::prompt::{self, Command};
use super::{
    App, Connection, Effect, Flash, Key, Level, Outcome, PromptKind, Scope, Screen, Source,
};

pub fn prompt_key(app: &mut App, key: Key, out: &mut Outcome) {
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
                PromptKind::Command | PromptKind::YamlSearch => {}
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
                PromptKind::YamlSearch => super::yaml_view::search(app, &prompt.text),
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
        PromptKind::Command | PromptKind::YamlSearch => {}
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

pub fn set_scope(app: &mut App, scope: Scope, out: &mut Outcome) {
    let height = app.list_height();
    app.table.set_scope(scope.clone(), height);
    if matches!(app.source, Source::Cluster { .. }) {
        app.connection = Connection::Connecting;
        out.effects.push(Effect::Rewatch(scope));
    }
}
