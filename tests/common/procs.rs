//! Which processes a test's podscope left behind, read from /proc: podscope itself (its
//! environment has the test's private HOME) and everything the demo started (the containers'
//! processes and exec'd shells have their root or working directory in the demo's directory,
//! which is under that HOME's `tmp` when the test set TMPDIR so).

use std::path::Path;
use std::time::Duration;

/// A process: its id and its command line, for messages.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub parent: u32,
    pub exe: String,
    pub command: String,
}

fn read(pid: u32) -> Option<Process> {
    let dir = format!("/proc/{pid}");
    let command = std::fs::read(format!("{dir}/cmdline"))
        .ok()?
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    let parent = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let exe = std::fs::read_link(format!("{dir}/exe"))
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    Some(Process {
        pid,
        parent,
        exe,
        command: command.trim_end().to_string(),
    })
}

fn all() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("/proc is readable")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// Processes that belong to the podscope run whose HOME is `home`.
pub fn belonging_to(home: &Path) -> Vec<Process> {
    let marker = format!("HOME={}", home.display());
    let inside = |pid: u32, link: &str| {
        std::fs::read_link(format!("/proc/{pid}/{link}")).is_ok_and(|p| p.starts_with(home))
    };
    all()
        .into_iter()
        .filter(|&pid| {
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            environ.split(|b| *b == 0).any(|v| v == marker.as_bytes())
                || inside(pid, "root")
                || inside(pid, "cwd")
        })
        .filter_map(read)
        .collect()
}

/// The podscope process of the run whose HOME is `home` (not one it started).
pub fn podscope(home: &Path) -> Option<u32> {
    let bin = env!("CARGO_BIN_EXE_podscope");
    let ours = belonging_to(home);
    ours.iter()
        .filter(|p| p.exe == bin)
        .find(|p| !ours.iter().any(|q| q.pid == p.parent && q.exe == bin))
        .map(|p| p.pid)
}

/// Processes whose command line is exactly `command`.
pub fn running(command: &str) -> Vec<Process> {
    all()
        .into_iter()
        .filter_map(read)
        .filter(|p| p.command == command)
        .collect()
}

/// Wait up to 10 s for `left()` to be empty; the panic lists what is left.
pub fn wait_gone(what: &str, left: impl Fn() -> Vec<Process>) {
    for _ in 0..100 {
        if left().is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} left behind: {:#?}", left());
}

/// Send `signal` (`TERM`, `HUP`, `INT`) to `pid`.
pub fn kill(signal: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {pid}");
}
