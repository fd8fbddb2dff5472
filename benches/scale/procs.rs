//! The processes the scale benchmark runs and watches: the demo server, a client in a real
//! terminal (tmux), kubectl; and what `/proc` and the demo's `/metrics` say about them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PODSCOPE: &str = env!("CARGO_BIN_EXE_podscope");

/// `podscope demo --serve` with synthetic pods, stopped on drop.
pub struct Demo {
    child: Child,
    pub kubeconfig: PathBuf,
    pub pods: usize,
}

impl Demo {
    pub fn start(dir: &Path, synthetic: usize, churn: u32, extra: &[&Path]) -> Demo {
        let kubeconfig = dir.join(format!("kubeconfig-{synthetic}-{churn}"));
        let mut cmd = Command::new(PODSCOPE);
        cmd.args(["demo", "--serve", "--synthetic", &synthetic.to_string()])
            .args(["--churn", &churn.to_string()])
            .arg("--kubeconfig-out")
            .arg(&kubeconfig);
        for f in extra {
            cmd.arg("-f").arg(f);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("podscope demo starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut first)
            .expect("the demo says where it serves");
        // "podscope demo cluster serving 10013 pods at https://..."
        let pods = first
            .split_whitespace()
            .skip_while(|w| *w != "serving")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"));
        Demo {
            child,
            kubeconfig,
            pods,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Requests and response bytes per client, from `/metrics`.
    pub fn load(&self) -> Vec<(String, u64, u64)> {
        let out = self.kubectl(&["get", "--raw", "/metrics"]);
        let text = String::from_utf8_lossy(&out.stdout);
        let mut per: Vec<(String, u64, u64)> = Vec::new();
        fn entry(per: &mut Vec<(String, u64, u64)>, client: &str) -> usize {
            match per.iter().position(|(c, _, _)| c == client) {
                Some(i) => i,
                None => {
                    per.push((client.to_string(), 0, 0));
                    per.len() - 1
                }
            }
        }
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((labels, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let value: u64 = value.parse().unwrap_or(0);
            let client = labels
                .split("client=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("");
            if labels.starts_with("apiserver_request_total") {
                let i = entry(&mut per, client);
                per[i].1 += value;
            } else if labels.starts_with("podscope_demo_response_bytes_total") {
                let i = entry(&mut per, client);
                per[i].2 += value;
            }
        }
        per
    }

    pub fn kubectl(&self, args: &[&str]) -> std::process::Output {
        Command::new("kubectl")
            .env("KUBECONFIG", &self.kubeconfig)
            .args(args)
            .output()
            .expect("kubectl runs")
    }
}

impl Drop for Demo {
    /// SIGTERM, as Ctrl-C would: the demo stops its containers and removes its directory.
    fn drop(&mut self) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child's.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }
}

/// Requests and bytes made by everyone but kubectl (the benchmark's own `/metrics` reads)
/// between two readings.
pub fn load_between(before: &[(String, u64, u64)], after: &[(String, u64, u64)]) -> (u64, u64) {
    let mut requests = 0;
    let mut bytes = 0;
    for (client, r, b) in after {
        if client.starts_with("kubectl") {
            continue;
        }
        let (r0, b0) = before
            .iter()
            .find(|(c, _, _)| c == client)
            .map_or((0, 0), |(_, r, b)| (*r, *b));
        requests += r - r0.min(*r);
        bytes += b - b0.min(*b);
    }
    (requests, bytes)
}

/// CPU time a process has used (user + system), from `/proc/PID/stat`.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command may hold spaces and parentheses: fields count from the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the ')'.
    let hz = 100; // USER_HZ on Linux
    Duration::from_millis((ticks(11) + ticks(12)) * 1000 / hz)
}

/// VmRSS and VmHWM in bytes.
pub fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU used by `pid` over `window`, as a share of one core.
pub fn cpu_share(pid: u32, window: Duration) -> f64 {
    let start = cpu_time(pid);
    std::thread::sleep(window);
    (cpu_time(pid).saturating_sub(start)).as_secs_f64() / window.as_secs_f64()
}

/// A client in a real terminal: its own tmux server, killed on drop.
pub struct Terminal {
    socket: String,
    started: Instant,
}

fn tmux(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .args(["-L", socket, "-f", "/dev/null"])
        .args(args)
        .output()
        .expect("tmux is installed")
}

impl Terminal {
    /// Run `command` (with `KUBECONFIG` and a private HOME) in a 200x50 terminal.
    pub fn start(name: &str, kubeconfig: &Path, home: &Path, command: &str) -> Terminal {
        let socket = format!("scale-{name}-{}", std::process::id());
        std::fs::create_dir_all(home).expect("a home for the client");
        let line = format!(
            "exec env KUBECONFIG={} HOME={} XDG_CONFIG_HOME={}/.config {command}",
            kubeconfig.display(),
            home.display(),
            home.display()
        );
        let started = Instant::now();
        let out = tmux(
            &socket,
            &[
                "new-session",
                "-d",
                "-x",
                "200",
                "-y",
                "50",
                "-s",
                "bench",
                &line,
            ],
        );
        assert!(out.status.success(), "tmux: {out:?}");
        Terminal { socket, started }
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&tmux(&self.socket, &["capture-pane", "-p", "-t", "bench"]).stdout)
            .into_owned()
    }

    /// The client's process id.
    pub fn pid(&self) -> Option<u32> {
        let out = tmux(
            &self.socket,
            &["list-panes", "-t", "bench", "-F", "#{pane_pid}"],
        );
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    }

    /// How long after the start the screen first satisfied `done`, polling every 10 ms.
    pub fn wait_for(&self, timeout: Duration, done: impl Fn(&str) -> bool) -> Option<Duration> {
        while self.started.elapsed() < timeout {
            let screen = self.screen();
            if done(&screen) {
                return Some(self.started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "bench"];
        args.extend_from_slice(keys);
        tmux(&self.socket, &args);
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        tmux(&self.socket, &["kill-server"]);
    }
}

/// How long `command` takes to run to completion, its output thrown away.
pub fn time_command(mut command: Command) -> Duration {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the command runs");
    assert!(status.success(), "{command:?} failed");
    start.elapsed()
}

/// The median of `runs` measurements.
pub fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs.get(runs.len() / 2).copied().unwrap_or_default()
}
