//! One exec session's process: started in the container (with a pseudo-terminal for `tty`),
//! its output gathered into one ordered stream of (channel, bytes), stdin written through,
//! the terminal resized, and its exit code.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Deserialize;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin};
use tokio::sync::mpsc;

use super::exec::ExecRequest;
use super::runtime::{ExecTarget, Instance, Runtime, exec_command, kill_group, open_pty, resize};

/// A command that could not be started, in the words containerd gives the kubelet (which
/// wraps them in an `InternalError` status).
pub struct Failure {
    pub message: String,
}

pub enum SessionEvent {
    Output(u8, Bytes),
    Exited(i32),
}

pub struct Session {
    pub pid: u32,
    child: Child,
    stdin: Option<ChildStdin>,
    pty: Option<Arc<AsyncFd<OwnedFd>>>,
    output: mpsc::Receiver<(u8, Bytes)>,
    output_open: bool,
}

impl Session {
    pub fn start(
        runtime: &Runtime,
        instance: &Instance,
        request: &ExecRequest,
    ) -> Result<Session, Failure> {
        let mut env = instance.plan.env.clone();
        if request.tty {
            env.push(("TERM".into(), "xterm".into()));
        }
        let target = ExecTarget {
            pid: instance.pid,
            dirs: &instance.dirs,
            working_dir: &instance.plan.working_dir,
        };
        let program = request.command.first().cloned().unwrap_or_default();
        let failure = |e: io::Error| runtime_failure(&program, e);
        if instance.plan.shell_less {
            // Simulated: the demo's container root is the host's, so the image's emptiness
            // is played here, before anything is started.
            return Err(failure(io::ErrorKind::NotFound.into()));
        }
        let mut command = exec_command(
            &request.command,
            &env,
            &target,
            &runtime.isolation,
            request.tty,
        )
        .map_err(failure)?;
        let (tx, output) = mpsc::channel(64);
        if request.tty {
            let pty = open_pty(80, 24).map_err(failure)?;
            let slave = |_| pty.slave.try_clone().map(Stdio::from);
            command
                .stdin(slave(0).map_err(failure)?)
                .stdout(slave(1).map_err(failure)?)
                .stderr(slave(2).map_err(failure)?);
            let child = command.spawn().map_err(failure)?;
            // Only the child may hold the slave: the master then reads EOF when it exits.
            drop(pty.slave);
            // SAFETY: the AsyncFd owns the master descriptor for its whole life.
            let master = unsafe { AsyncFd::register(pty.master) }.map_err(|e| failure(e.into()))?;
            let master = Arc::new(master);
            tokio::spawn(pump_pty(master.clone(), tx));
            let pid = child.id().unwrap_or_default();
            return Ok(Session {
                pid,
                child,
                stdin: None,
                pty: Some(master),
                output,
                output_open: true,
            });
        }
        let pipe = |wanted: bool| {
            if wanted {
                Stdio::piped()
            } else {
                Stdio::null()
            }
        };
        command
            .stdin(pipe(request.stdin))
            .stdout(pipe(request.stdout))
            .stderr(pipe(request.stderr));
        let mut child = command.spawn().map_err(failure)?;
        if let Some(out) = child.stdout.take() {
            tokio::spawn(pump(out, 1, tx.clone()));
        }
        if let Some(err) = child.stderr.take() {
            tokio::spawn(pump(err, 2, tx));
        }
        let pid = child.id().unwrap_or_default();
        let stdin = child.stdin.take();
        Ok(Session {
            pid,
            child,
            stdin,
            pty: None,
            output,
            output_open: true,
        })
    }

    pub async fn write_stdin(&mut self, data: &[u8]) {
        if let Some(master) = &self.pty {
            let _ = write_pty(master, data).await;
        } else if let Some(stdin) = self.stdin.as_mut()
            && stdin.write_all(data).await.is_err()
        {
            self.stdin = None;
        }
    }

    /// End of input (v5 `[255, 0]`): the process reads EOF.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        if let Some(master) = &self.pty {
            let _ = resize(master.get_ref(), cols, rows);
            // The process group on the terminal is told by the kernel (SIGWINCH).
        }
    }

    /// The next output, or the exit code once the process has ended.
    pub async fn next_event(&mut self) -> SessionEvent {
        loop {
            tokio::select! {
                biased;
                chunk = self.output.recv(), if self.output_open => match chunk {
                    Some((channel, data)) => return SessionEvent::Output(channel, data),
                    None => self.output_open = false,
                },
                status = self.child.wait() => {
                    return SessionEvent::Exited(status.map_or(255, super::runtime::exit_code));
                }
            }
        }
    }

    /// Output still buffered after the exit (waiting at most `grace` for more).
    pub async fn drain_output(&mut self, grace: Duration) -> Option<(u8, Bytes)> {
        if !self.output_open {
            return None;
        }
        match tokio::time::timeout(grace, self.output.recv()).await {
            Ok(Some(chunk)) => Some(chunk),
            _ => {
                self.output_open = false;
                None
            }
        }
    }

    /// The exit code if the process ends within `limit`.
    pub async fn wait_briefly(&mut self, limit: Duration) -> Option<i32> {
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()?
            .ok()?;
        Some(super::runtime::exit_code(status))
    }

    /// End the session's process and everything it started.
    pub fn kill(&mut self) {
        kill_group(&self.child);
        let _ = self.child.start_kill();
    }
}

/// containerd's words when an exec cannot start (containerd 1.6+ with runc), for example
/// `failed to start exec "<id>": OCI runtime exec failed: exec failed: unable to start
/// container process: exec: "sh": executable file not found in $PATH: unknown`.
fn runtime_failure(program: &str, e: io::Error) -> Failure {
    let detail = match e.kind() {
        io::ErrorKind::NotFound if program.contains('/') => {
            format!("stat {program}: no such file or directory")
        }
        io::ErrorKind::NotFound => "executable file not found in $PATH".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    let exec_id = super::kubeconfig::random_hex(32).unwrap_or_default();
    Failure {
        message: format!(
            "failed to exec in container: failed to start exec \"{exec_id}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": {detail}: unknown"
        ),
    }
}

async fn pump(mut stream: impl AsyncRead + Unpin, channel: u8, tx: mpsc::Sender<(u8, Bytes)>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if tx
                    .send((channel, Bytes::copy_from_slice(&buffer[..n])))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

async fn pump_pty(master: Arc<AsyncFd<OwnedFd>>, tx: mpsc::Sender<(u8, Bytes)>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let Ok(mut ready) = master.readable().await else {
            return;
        };
        // SAFETY: read into a buffer we own, of its length.
        let read = ready.try_io(|fd| {
            let n = unsafe { libc::read(fd.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        });
        match read {
            Err(_would_block) => continue,
            // EIO: the last holder of the terminal's other end has exited.
            Ok(Ok(0)) | Ok(Err(_)) => return,
            Ok(Ok(n)) => {
                if tx
                    .send((1, Bytes::copy_from_slice(&buffer[..n])))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

async fn write_pty(master: &AsyncFd<OwnedFd>, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        let mut ready = master.writable().await?;
        // SAFETY: write from a slice we borrow, of its length.
        let written = ready.try_io(|fd| {
            let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        });
        if let Ok(result) = written {
            data = &data[result?..];
        }
    }
    Ok(())
}

/// Channel 4 is a stream of JSON objects that may be split or joined across frames.
#[derive(Default)]
pub struct ResizeStream {
    pending: Vec<u8>,
}

#[derive(Deserialize)]
struct TerminalSize {
    #[serde(rename = "Width", alias = "width")]
    width: u16,
    #[serde(rename = "Height", alias = "height")]
    height: u16,
}

impl ResizeStream {
    /// Add a frame's bytes; every complete size in them, as (columns, rows).
    pub fn push(&mut self, data: &[u8]) -> Vec<(u16, u16)> {
        self.pending.extend_from_slice(data);
        let mut sizes = Vec::new();
        let mut consumed = 0;
        let mut stream =
            serde_json::Deserializer::from_slice(&self.pending).into_iter::<TerminalSize>();
        loop {
            match stream.next() {
                Some(Ok(size)) => {
                    sizes.push((size.width, size.height));
                    consumed = stream.byte_offset();
                }
                Some(Err(e)) if e.is_eof() => break,
                Some(Err(_)) => {
                    // Not a size at all: drop what we have rather than stall.
                    consumed = self.pending.len();
                    break;
                }
                None => {
                    consumed = self.pending.len();
                    break;
                }
            }
        }
        self.pending.drain(..consumed);
        sizes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_frames_may_be_split_or_joined() {
        let mut stream = ResizeStream::default();
        assert_eq!(
            stream.push(br#"{"Width":120,"Height":40}"#),
            vec![(120, 40)]
        );
        assert_eq!(stream.push(br#"{"Width":13"#), vec![]);
        assert_eq!(
            stream.push(b"2,\"Height\":50}\n{\"width\":80,\"height\":24}"),
            vec![(132, 50), (80, 24)]
        );
    }

    #[test]
    fn start_failures_read_like_containerds() {
        let missing = runtime_failure("nope", io::Error::from(io::ErrorKind::NotFound));
        assert!(
            missing
                .message
                .starts_with("failed to exec in container: failed to start exec \"")
        );
        assert!(
            missing
                .message
                .ends_with("exec: \"nope\": executable file not found in $PATH: unknown")
        );
        let absent = runtime_failure("/bin/bash", io::Error::from(io::ErrorKind::NotFound));
        assert!(
            absent
                .message
                .ends_with("stat /bin/bash: no such file or directory: unknown")
        );
        let denied = runtime_failure(
            "/etc/passwd",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(
            denied
                .message
                .ends_with("exec: \"/etc/passwd\": permission denied: unknown")
        );
    }
}
