//! `podscope exec POD [-c C] [-n NS] [-i] [-t] -- CMD ...`: kubectl exec through the API.
//! The exit code is the command's; stdout and stderr stay apart unless there is a TTY.

use std::io::IsTerminal;

use super::{exec_wording, find_pod, kubectl_failure, pod_name};
use crate::cli::ExecArgs;
use crate::cluster::exec::{self, ExecEnd, ExecSpec, LocalIo};
use crate::cluster::stdin_pump::StdinPump;
use crate::launch::Failure;
use crate::logging::log;
use crate::model::choose_container;
use crate::model::pod::PodPhase;
use crate::signals::StopSignals;

/// Run the command; `Ok(code)` is the remote command's exit code.
pub async fn run(args: ExecArgs) -> Result<u8, Failure> {
    let name = pod_name(&args.pod)?;
    let found = find_pod(&args.cluster, name, exec_wording).await?;
    // Like kubectl, a named container is not checked here: the server says if it is wrong.
    let container = match args.container {
        Some(name) => name,
        None => {
            let chosen = choose_container(&found.pod, None)
                .map_err(|e| Failure::kubectl(format!("error: {e}")))?;
            if let Some(notice) = &chosen.notice {
                eprintln!("{notice}");
            }
            chosen.name
        }
    };
    if let Some(phase @ (PodPhase::Succeeded | PodPhase::Failed)) = &found.pod.phase {
        return Err(Failure::kubectl(format!(
            "error: cannot exec into a container in a completed pod; current phase is {}",
            phase
        )));
    }
    let mut tty = args.tty && args.stdin;
    if tty && !std::io::stdin().is_terminal() {
        eprintln!("Unable to use a TTY - input is not a terminal or the right kind of file");
        tty = false;
    }
    let spec = ExecSpec {
        namespace: found.namespace.clone(),
        pod: name.to_string(),
        container,
        command: args.command,
        stdin: args.stdin,
        tty,
    };
    let raw = tty && crossterm::terminal::enable_raw_mode().is_ok();
    let (pump, input) = if args.stdin {
        let (pump, rx) = StdinPump::start();
        (Some(pump), Some(rx))
    } else {
        (None, None)
    };
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let io = LocalIo {
        input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        follow_terminal_size: tty,
    };
    // A signal to podscope itself (the terminal closing, a kill, an interrupt from another
    // shell) ends the session with the terminal restored, as kubectl does; Ctrl-C typed in
    // raw mode is a key and goes to the remote command.
    let mut stops =
        StopSignals::new().map_err(|e| Failure::runtime(format!("cannot catch signals: {e}")))?;
    let result = tokio::select! {
        r = exec::run(&found.client, &spec, io) => Ok(r),
        stop = stops.recv() => Err(stop),
    };
    if let Some(pump) = pump {
        pump.stop();
    }
    if raw {
        let _ = crossterm::terminal::disable_raw_mode();
    }
    let result = match result {
        Ok(result) => result,
        Err(stop) => {
            log(&format!(
                "podscope exec: {}: session closed",
                stop.describe()
            ));
            return Ok(stop.exit_code());
        }
    };
    let report = result.map_err(|f| kubectl_failure(&f))?;
    match report.end {
        ExecEnd::Exited(0) => Ok(0),
        ExecEnd::Exited(code) => {
            eprintln!("command terminated with exit code {code}");
            Ok(u8::try_from(code).unwrap_or(1))
        }
        ExecEnd::Failed(message) => Err(Failure::kubectl(format!("error: {message}"))),
        ExecEnd::Lost(reason) => Err(Failure::kubectl(format!(
            "error: lost the connection to {} in pod {}: {reason}",
            spec.container, spec.pod
        ))),
    }
}
