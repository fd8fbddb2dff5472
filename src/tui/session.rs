//! Handing the terminal to an exec session and taking it back (`reference/kube-rs-notes.md`
//! §7): the caller has dropped its event stream; here the alternate screen is left (raw mode
//! stays on: the remote pty echoes and edits), keystrokes go to the session through the
//! stoppable stdin pump, and afterwards the screen is entered again and fully repainted, so
//! the first key pressed reaches the TUI.

use std::io::Write;

use kube::Client;

use super::terminal::TerminalGuard;
use crate::cluster::exec::{self, ExecEnd, ExecSpec, LocalIo};
use crate::cluster::stdin_pump::StdinPump;
use crate::logging::log;
use crate::signals::StopSignals;
use crate::state::{ExecOutcome, ExecRequest};

/// The exec spec for a TUI request: a TTY, stdin, the shell unless a command was given.
pub fn spec(request: &ExecRequest) -> ExecSpec {
    ExecSpec {
        namespace: request.namespace.clone(),
        pod: request.pod.clone(),
        container: request.container.clone(),
        command: request.command.clone().unwrap_or_else(exec::shell_command),
        stdin: true,
        tty: true,
    }
}

/// Run the session on the real terminal; the TUI is back when this returns. `None` when the
/// terminal hung up (or SIGTERM or SIGINT came) during the session: the caller should quit, so its
/// cleanup still runs instead of a session waiting forever on a terminal that is gone.
pub async fn run(
    guard: &mut TerminalGuard,
    stops: &mut StopSignals,
    client: &Client,
    spec: &ExecSpec,
    notice: Option<&str>,
) -> std::io::Result<Option<ExecOutcome>> {
    guard.leave()?;
    let mut stdout = std::io::stdout();
    // Raw mode: lines need their carriage return.
    let what = if spec.command == exec::shell_command() {
        "shell".to_string()
    } else {
        spec.command.join(" ")
    };
    let _ = write!(
        stdout,
        "\r\npodscope: {what} in {}/{}, container {} (exit or Ctrl-D returns to podscope)\r\n",
        spec.namespace, spec.pod, spec.container
    );
    if let Some(notice) = notice {
        // kubectl prints it before the session too.
        let _ = write!(stdout, "{notice}\r\n");
    }
    let _ = stdout.flush();
    let (pump, input) = StdinPump::start();
    let mut stderr = std::io::stderr();
    let io = LocalIo {
        input: Some(input),
        stdout: &mut stdout,
        stderr: &mut stderr,
        follow_terminal_size: true,
    };
    let result = tokio::select! {
        r = exec::run(client, spec, io) => r,
        // Dropping the session's future closes it (kube aborts the WebSocket task).
        stop = stops.recv() => {
            pump.stop();
            log(&format!("{} during an exec session: quitting", stop.describe()));
            return Ok(None);
        }
    };
    pump.stop();
    guard.take_back()?;
    let outcome = match result {
        Err(f) => ExecOutcome::Refused {
            forbidden: f.forbidden(),
            message: f.to_string(),
        },
        Ok(report) => match (report.missing_program(), report.end) {
            (Some(program), _) => ExecOutcome::NoExecutable { program },
            (None, ExecEnd::Exited(code)) => ExecOutcome::Exited(code),
            (None, ExecEnd::Failed(message)) => ExecOutcome::Failed(message),
            (None, ExecEnd::Lost(reason)) => ExecOutcome::Lost(reason),
        },
    };
    log(&format!(
        "exec {:?} in {}/{} -c {}: {outcome:?}",
        spec.command, spec.namespace, spec.pod, spec.container
    ));
    Ok(Some(outcome))
}
