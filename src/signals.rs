//! The signals that end podscope politely: the terminal hanging up (SIGHUP), a kill
//! (SIGTERM) and an interrupt sent to the process (SIGINT; Ctrl-C typed in raw mode is a key,
//! not a signal). Each is caught so that whoever holds the terminal gives it back and the
//! demo cluster stops its processes, instead of the default action killing podscope with the
//! terminal still raw.

use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Which signal asked podscope to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Hangup,
    Terminate,
    Interrupt,
}

impl Stop {
    /// The shell's exit status for a process ended by this signal (128 + its number), as
    /// kubectl exits after restoring the terminal.
    pub fn exit_code(self) -> u8 {
        let number = match self {
            Stop::Hangup => libc::SIGHUP,
            Stop::Terminate => libc::SIGTERM,
            Stop::Interrupt => libc::SIGINT,
        };
        128 + number as u8
    }

    /// For podscope's log file.
    pub fn describe(self) -> &'static str {
        match self {
            Stop::Hangup => "the terminal hung up (SIGHUP)",
            Stop::Terminate => "SIGTERM",
            Stop::Interrupt => "SIGINT",
        }
    }
}

/// The three stop signals, caught from the moment this is made (must be made inside a
/// tokio runtime).
pub struct StopSignals {
    hangup: Signal,
    terminate: Signal,
    interrupt: Signal,
}

impl StopSignals {
    pub fn new() -> io::Result<StopSignals> {
        Ok(StopSignals {
            hangup: signal(SignalKind::hangup())?,
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    /// The next stop signal; cancel-safe, so it can sit in a `select!` loop.
    pub async fn recv(&mut self) -> Stop {
        tokio::select! {
            _ = self.hangup.recv() => Stop::Hangup,
            _ = self.terminate.recv() => Stop::Terminate,
            _ = self.interrupt.recv() => Stop::Interrupt,
        }
    }
}
