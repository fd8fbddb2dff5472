//! One exec session through the API (`pods/exec` over WebSocket, as kubectl does since 1.31),
//! wired to local input and output: keystrokes or piped bytes in, the command's output out,
//! the terminal's size kept in step, and the exit code back.
//!
//! The pitfalls from `reference/kube-rs-notes.md` §2.7 shape this loop: stdout and stderr are
//! always drained (one task multiplexes everything, a full pipe would stall it), stdin is
//! ended with `shutdown()` (dropping it sends nothing), and the end of the session is the
//! status future, never stdout's EOF alone (a dropped connection leaves stdout pending).

use std::io::Write;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod as ApiPod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{AttachParams, TerminalSize};
use kube::{Api, Client};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::errors::{ApiFailure, innermost};

/// What to run where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecSpec {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
}

/// The interactive shell: bash when the image has it, else sh (what k9s runs too).
pub fn shell_command() -> Vec<String> {
    [
        "sh",
        "-c",
        "command -v bash >/dev/null 2>&1 && exec bash || exec sh",
    ]
    .map(String::from)
    .to_vec()
}

/// How a session that started came to an end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEnd {
    /// The command exited with this code.
    Exited(i32),
    /// The server ended the session with an error that is not an exit code.
    Failed(String),
    /// The connection dropped before the command finished.
    Lost(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecReport {
    pub end: ExecEnd,
    /// The last bytes of output, to recognise a runtime's "executable file not found".
    pub tail: Vec<u8>,
}

impl ExecReport {
    /// The program the image lacks when the runtime could not start the command (no shell,
    /// say); empty when the runtime did not name it. Runtimes say so in an internal error
    /// (containerd) or in the output with exit code 126/127 (older runtimes, Docker).
    pub fn missing_program(&self) -> Option<String> {
        let text = match &self.end {
            ExecEnd::Exited(126 | 127) => String::from_utf8_lossy(&self.tail).into_owned(),
            ExecEnd::Failed(message) => message.clone(),
            _ => return None,
        };
        // Older runtimes quote the program inside a quoted cause: `exec: \"bash\": ...`.
        let text = text.replace("\\\"", "\"");
        let missing = text.contains("executable file not found")
            || (text.contains("exec failed") && text.contains("no such file or directory"));
        if !missing {
            return None;
        }
        let program = text
            .split("exec: \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        Some(program.to_string())
    }
}

/// The local side of a session.
pub struct LocalIo<'a> {
    /// Bytes for the command's stdin; the channel closing ends its input.
    pub input: Option<mpsc::Receiver<Vec<u8>>>,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Send this terminal's size now and on every SIGWINCH (for `tty`).
    pub follow_terminal_size: bool,
}

const TAIL: usize = 1024;
const PIPE: usize = 64 << 10;

/// Run `spec` and connect it to `io` until the command ends. `Err` means the session never
/// started (the API's answer: not found, forbidden, container not running ...).
pub async fn run(
    client: &Client,
    spec: &ExecSpec,
    io: LocalIo<'_>,
) -> Result<ExecReport, ApiFailure> {
    let api: Api<ApiPod> = Api::namespaced(client.clone(), &spec.namespace);
    let params = AttachParams::default()
        .container(spec.container.clone())
        .stdin(spec.stdin)
        .stdout(true)
        .stderr(!spec.tty)
        .tty(spec.tty)
        .max_stdin_buf_size(PIPE)
        .max_stdout_buf_size(PIPE)
        .max_stderr_buf_size(PIPE);
    let mut attached = api
        .exec(&spec.pod, spec.command.clone(), &params)
        .await
        .map_err(|e| ApiFailure::from_kube(&e))?;
    let mut stdin = attached.stdin();
    let mut stdout = attached.stdout();
    let mut stderr = attached.stderr();
    let mut resize = attached.terminal_size();
    let Some(status) = attached.take_status() else {
        return Err(local_failure("the exec session has no status channel"));
    };
    let mut status = Box::pin(status);
    let mut winch = None;
    if spec.tty && io.follow_terminal_size {
        if let (Some(tx), Some(size)) = (resize.as_mut(), terminal_size()) {
            let _ = tx.try_send(size);
        }
        winch = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
    }
    let LocalIo {
        mut input,
        stdout: out,
        stderr: err,
        ..
    } = io;
    let mut tail = Vec::new();
    let mut out_buf = vec![0u8; 16 << 10];
    let mut err_buf = vec![0u8; 16 << 10];
    let finished: Option<Status> = loop {
        tokio::select! {
            chunk = recv(&mut input) => match (chunk, stdin.as_mut()) {
                (Some(bytes), Some(w)) => {
                    if w.write_all(&bytes).await.is_err() || w.flush().await.is_err() {
                        input = None;
                    }
                }
                (Some(_), None) => {}
                (None, w) => {
                    // End of local input: tell the command (kube sends the v5 close frame).
                    if let Some(w) = w {
                        let _ = w.shutdown().await;
                    }
                    input = None;
                }
            },
            n = read(&mut stdout, &mut out_buf) => {
                if let Some(data) = n { forward(out, &mut tail, data); } else { stdout = None; }
            }
            n = read(&mut stderr, &mut err_buf) => {
                if let Some(data) = n { forward(err, &mut tail, data); } else { stderr = None; }
            }
            _ = async { winch.as_mut().expect("guarded").recv().await }, if winch.is_some() => {
                // A full channel (ten pending sizes) drops this one; the next SIGWINCH resends.
                if let (Some(tx), Some(size)) = (resize.as_mut(), terminal_size()) {
                    let _ = tx.try_send(size);
                }
            }
            st = &mut status => break st,
        }
    };
    // Output sent before the status is still in the pipes: write it out.
    if finished.is_some() {
        for (reader, sink, buf) in [
            (&mut stdout, &mut *out, &mut out_buf),
            (&mut stderr, &mut *err, &mut err_buf),
        ] {
            while let Ok(Some(data)) =
                tokio::time::timeout(Duration::from_millis(300), read(reader, buf)).await
            {
                forward(sink, &mut tail, data);
            }
        }
    }
    drop((stdin, stdout, stderr, resize));
    let joined = tokio::time::timeout(Duration::from_secs(2), attached.join()).await;
    let end = match finished {
        Some(status) => end_of(&status),
        None => ExecEnd::Lost(match joined {
            Ok(Err(e)) => innermost(&e),
            _ => "the connection closed without an exit status".to_string(),
        }),
    };
    Ok(ExecReport { end, tail })
}

/// The exit code in a kubelet status: `Success`, or `NonZeroExitCode` with an `ExitCode`
/// cause; anything else is a failure with the server's message.
pub fn end_of(status: &Status) -> ExecEnd {
    if status.status.as_deref() == Some("Success") {
        return ExecEnd::Exited(0);
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message.as_deref()?.trim().parse::<i32>().ok());
    match code {
        Some(code) => ExecEnd::Exited(code),
        None => ExecEnd::Failed(
            status
                .message
                .clone()
                .filter(|m| !m.is_empty())
                .or_else(|| status.reason.clone())
                .unwrap_or_else(|| "the command failed".to_string()),
        ),
    }
}

fn local_failure(message: &str) -> ApiFailure {
    ApiFailure {
        code: None,
        reason: String::new(),
        message: message.to_string(),
    }
}

async fn recv(input: &mut Option<mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match input {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The next chunk of a stream, `None` at its end; pending forever once it has ended.
async fn read<'b, R: AsyncRead + Unpin>(
    reader: &mut Option<R>,
    buf: &'b mut [u8],
) -> Option<&'b [u8]> {
    let Some(r) = reader.as_mut() else {
        return std::future::pending().await;
    };
    match r.read(buf).await {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(&buf[..n]),
    }
}

fn forward(sink: &mut dyn Write, tail: &mut Vec<u8>, data: &[u8]) {
    // A closed local stdout (a pipe to `head`) must not end the remote command early.
    let _ = sink.write_all(data).and_then(|()| sink.flush());
    tail.extend_from_slice(data);
    if tail.len() > TAIL {
        tail.drain(..tail.len() - TAIL);
    }
}

/// This terminal's size, as the exec API's resize message wants it.
fn terminal_size() -> Option<TerminalSize> {
    let (width, height) = crossterm::terminal::size().ok()?;
    Some(TerminalSize { width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(end: ExecEnd, tail: &str) -> ExecReport {
        ExecReport {
            end,
            tail: tail.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_missing_program_is_recognised_in_each_runtimes_words() {
        let containerd = "Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"4f0e\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"sh\": executable file not found in $PATH: unknown";
        assert_eq!(
            report(ExecEnd::Failed(containerd.into()), "").missing_program(),
            Some("sh".into())
        );
        let docker = "OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused \"exec: \\\"/bin/bash\\\": stat /bin/bash: no such file or directory\": unknown\r\n";
        assert_eq!(
            report(ExecEnd::Exited(126), docker).missing_program(),
            Some("/bin/bash".into())
        );
        // A command that merely exits 127, or fails for another reason, is not that.
        assert_eq!(
            report(ExecEnd::Exited(127), "sh: nope: not found\r\n").missing_program(),
            None
        );
        assert_eq!(report(ExecEnd::Exited(1), docker).missing_program(), None);
        assert_eq!(
            report(ExecEnd::Failed("container not found (\"main\")".into()), "").missing_program(),
            None
        );
    }
}
