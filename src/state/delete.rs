//! Deleting a pod (k9s's Ctrl-D): a question that shows the kubectl command first, refused
//! under `--readonly`; the server's answer is shown as it gives it, and the watch shows the
//! pod Terminating and then gone.

use super::{App, Effect, Flash, Key, Level, Outcome, Screen};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteRequest {
    pub namespace: String,
    pub name: String,
}

impl DeleteRequest {
    pub fn kubectl(&self, context: Option<&str>) -> String {
        let context = context
            .map(|c| format!(" --context {c}"))
            .unwrap_or_default();
        format!(
            "kubectl delete pod {} -n {}{context}",
            self.name, self.namespace
        )
    }
}

/// Ask before deleting the selected (or open) pod.
pub fn ask(app: &mut App) {
    let pod = match &app.screen {
        Screen::List => app
            .table
            .selected_pod()
            .map(|p| (p.pod.namespace.clone(), p.pod.name.clone())),
        Screen::Pod(v) => Some((v.namespace.clone(), v.name.clone())),
        _ => None,
    };
    let Some((namespace, name)) = pod else { return };
    let refusal = if app.readonly {
        Some("read-only (--readonly): deleting pods is turned off")
    } else if matches!(app.source, super::Source::Files { .. }) {
        Some("these pods come from manifest files: there is nothing to delete")
    } else {
        None
    };
    if let Some(text) = refusal {
        app.flash = Some(Flash {
            level: Level::Warning,
            text: text.to_string(),
        });
        return;
    }
    app.confirm_delete = Some(DeleteRequest { namespace, name });
}

/// The answer to "delete pod X?": y deletes, anything else keeps it.
pub fn answer(app: &mut App, key: Key, out: &mut Outcome) {
    let Some(request) = app.confirm_delete.take() else {
        return;
    };
    if matches!(key, Key::Char('y')) {
        app.flash = Some(Flash {
            level: Level::Info,
            text: format!("deleting pod {}…", request.name),
        });
        out.effects.push(Effect::DeletePod(request));
    }
}

/// What the server said to the delete.
pub fn answered(app: &mut App, request: &DeleteRequest, result: Result<(), String>) {
    app.flash = Some(match result {
        Ok(()) => Flash {
            level: Level::Info,
            text: format!(
                "pod {} is being deleted: it shows Terminating until its containers have stopped",
                request.name
            ),
        },
        Err(e) => Flash {
            level: Level::Error,
            text: format!("cannot delete pod {}: {e}", request.name),
        },
    });
}
