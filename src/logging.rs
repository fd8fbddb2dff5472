//! podscope's log file: `$XDG_STATE_HOME/podscope/podscope.log` (or
//! `~/.local/state/podscope/podscope.log`). The TUI owns the screen, so nothing is ever
//! printed while it runs; what went on is written here instead.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

static LOG: OnceLock<Mutex<File>> = OnceLock::new();

/// Where the log file goes.
pub fn log_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(base.join("podscope").join("podscope.log"))
}

/// Open the log file for appending. Without one (no home, read-only disk) logging is off;
/// that is never a reason to refuse to run.
pub fn init() -> Option<PathBuf> {
    let path = log_path()?;
    std::fs::create_dir_all(path.parent()?).ok()?;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    LOG.set(Mutex::new(file)).ok()?;
    Some(path)
}

/// Append one line, stamped with the time.
pub fn log(line: &str) {
    if let Some(file) = LOG.get()
        && let Ok(mut f) = file.lock()
    {
        let now = k8s_openapi::jiff::Timestamp::now();
        let _ = writeln!(f, "{now} {line}");
    }
}
