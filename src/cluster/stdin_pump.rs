//! Keystrokes (or piped input) for an exec session, read from the raw stdin descriptor on a
//! thread that can be stopped.
//!
//! Not `tokio::io::stdin()`: its blocking read cannot be cancelled, so the first key pressed
//! after a session ends would be swallowed by it instead of reaching the TUI
//! (`reference/kube-rs-notes.md` §7.2). Not `std::io::stdin()` either: its buffer can hold
//! bytes that `poll` no longer reports. The thread polls the descriptor every 50 ms, so
//! [`StdinPump::stop`] returns within that.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use tokio::sync::mpsc;

const POLL_MS: libc::c_int = 50;

pub struct StdinPump {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl StdinPump {
    /// Start reading fd 0. Chunks arrive on the returned channel; it closes at end of input
    /// (a pipe's EOF, Ctrl-D is a byte in raw mode) or when the pump is stopped.
    pub fn start() -> (StdinPump, mpsc::Receiver<Vec<u8>>) {
        let (tx, rx) = mpsc::channel(64);
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("stdin-pump".into())
            .spawn(move || pump(libc::STDIN_FILENO, &flag, &tx))
            .ok();
        (StdinPump { stop, handle }, rx)
    }

    /// Stop reading; nothing read after this returns is taken from the terminal.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for StdinPump {
    fn drop(&mut self) {
        self.halt();
    }
}

fn pump(fd: libc::c_int, stop: &AtomicBool, tx: &mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; 8192];
    while !stop.load(Ordering::SeqCst) {
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, and its count.
        let ready = unsafe { libc::poll(&mut pfd, 1, POLL_MS) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if ready == 0 {
            continue;
        }
        if pfd.revents & (libc::POLLIN | libc::POLLHUP) == 0 {
            return;
        }
        // SAFETY: the buffer is valid for its length; read(2) writes at most that much.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            0 => return,
            n if n < 0 => {
                let e = std::io::Error::last_os_error();
                if !matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
                ) {
                    return;
                }
            }
            n => {
                if tx.blocking_send(buf[..n as usize].to_vec()).is_err() {
                    return;
                }
            }
        }
    }
}
