//! How fast a container's log reaches the user: a demo pod writes 1,000,000 numbered lines as
//! fast as `seq` can, then `podscope logs -f`, `kubectl logs -f` and the TUI's log view (`1`:
//! the last minute) each take all of it; lines per second from launch to the last line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Settings;
use crate::procs::{self, Demo, Terminal};

const LINES: usize = 1_000_000;

pub struct LogFigures {
    pub podscope_cli: Option<f64>,
    pub kubectl: Option<f64>,
    pub tui: Option<f64>,
}

const MANIFEST: &str = "apiVersion: v1
kind: Pod
metadata:
  name: flood
  namespace: default
spec:
  containers:
  - name: writer
    image: busybox
    command: [\"sh\", \"-c\", \"sleep 2; seq 1 1000000; sleep 3600\"]
";

pub fn measure(s: &Settings) -> LogFigures {
    let manifest = s.dir.join("flood.yaml");
    std::fs::write(&manifest, MANIFEST).expect("the flood manifest written");
    let demo = Demo::start(&s.dir, 0, 0, &[&manifest]);
    let last = LINES.to_string();
    let written = (0..600).any(|_| {
        std::thread::sleep(Duration::from_millis(200));
        let out = demo.kubectl(&["logs", "flood", "--tail", "1"]);
        String::from_utf8_lossy(&out.stdout).trim() == last
    });
    if !written {
        eprintln!("  the flood pod never wrote its lines: logs not measured");
        return LogFigures {
            podscope_cli: None,
            kubectl: None,
            tui: None,
        };
    }
    let tui = tui_rate(&demo, s);
    let podscope_cli = follow_rate(
        Command::new(procs::PODSCOPE),
        &demo,
        &["logs", "flood", "-f"],
    );
    let kubectl = follow_rate(Command::new("kubectl"), &demo, &["logs", "flood", "-f"]);
    eprintln!(
        "  lines/s: podscope logs -f {podscope_cli:?}, kubectl logs -f {kubectl:?}, TUI {tui:?}"
    );
    LogFigures {
        podscope_cli,
        kubectl,
        tui,
    }
}

/// Lines per second from launch until the last line is printed.
fn follow_rate(mut cmd: Command, demo: &Demo, args: &[&str]) -> Option<f64> {
    let started = Instant::now();
    let mut child = cmd
        .env("KUBECONFIG", &demo.kubeconfig)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let last = LINES.to_string();
    let mut seen = 0usize;
    let mut done = None;
    for line in BufReader::new(child.stdout.take()?).lines() {
        let Ok(line) = line else { break };
        seen += 1;
        if line == last {
            done = Some(started.elapsed());
            break;
        }
        if started.elapsed() > Duration::from_secs(300) {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    done.map(|t| seen as f64 / t.as_secs_f64())
}

/// The TUI's log view on the pod, asked for the last minute (`1`): from the key to the last
/// line on screen.
fn tui_rate(demo: &Demo, s: &Settings) -> Option<f64> {
    let home = s.dir.join("home-logs");
    let t = Terminal::start(
        "logs",
        &demo.kubeconfig,
        &home,
        &format!("{} -n default", procs::PODSCOPE),
    );
    t.wait_for(Duration::from_secs(60), |s| s.contains("flood"))?;
    t.keys(&["/flood", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["l"]);
    t.wait_for(Duration::from_secs(60), |s| s.contains("Logs flood"))?;
    let started = Instant::now();
    t.keys(&["1"]);
    let last = LINES.to_string();
    while started.elapsed() < Duration::from_secs(300) {
        if t.screen().lines().any(|l| l.trim_end().ends_with(&last)) {
            return Some(LINES as f64 / started.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}
