//! How fast a followed log keeps up with a container writing as fast as it can: three demo
//! pods each wait, then write 1,000,000 numbered lines with `seq`, one after the other;
//! `podscope logs -f`, `kubectl logs -f` and the TUI's log view each follow one of them from
//! before the first line. Lines per second from the first line to the last, and how many
//! arrived (the demo keeps only a container's last 20,000 lines, so a reader that falls
//! behind loses lines rather than slowing the writer).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Settings;
use crate::procs::{self, Demo, Terminal};

const LINES: usize = 1_000_000;

/// Lines per second and lines received (0: not counted), per reader.
pub struct LogFigures {
    pub podscope_cli: Option<(f64, usize)>,
    pub kubectl: Option<(f64, usize)>,
    pub tui: Option<(f64, usize)>,
}

fn manifest() -> String {
    let pod = |name: &str, wait: u32| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  containers:\n  - name: writer\n    image: busybox\n    command: [\"sh\", \"-c\", \"sleep {wait}; seq 1 {LINES}; sleep 3600\"]\n"
        )
    };
    [
        pod("flood-cli", 15),
        pod("flood-kubectl", 45),
        pod("flood-tui", 75),
    ]
    .join("---\n")
}

pub fn measure(s: &Settings) -> LogFigures {
    let path = s.dir.join("flood.yaml");
    std::fs::write(&path, manifest()).expect("the flood manifest written");
    let demo = Demo::start(&s.dir, 0, 0, &[&path]);
    for pod in ["flood-cli", "flood-kubectl", "flood-tui"] {
        let running = (0..100).any(|_| {
            let out = demo.kubectl(&["get", "pod", pod, "-o", "jsonpath={.status.phase}"]);
            let phase = String::from_utf8_lossy(&out.stdout).into_owned();
            phase == "Running" || {
                std::thread::sleep(Duration::from_millis(100));
                false
            }
        });
        assert!(running, "{pod} never ran");
    }
    let podscope = follow(Command::new(procs::PODSCOPE), &demo, "flood-cli");
    let kubectl = follow(Command::new("kubectl"), &demo, "flood-kubectl");
    let tui = tui_follow(&demo, s, "flood-tui");
    eprintln!(
        "  lines/s and lines: podscope logs -f {podscope:?}, kubectl logs -f {kubectl:?}, TUI {tui:?}"
    );
    LogFigures {
        podscope_cli: podscope,
        kubectl,
        tui,
    }
}

/// Follow `pod` from before its first line until its last (or 20 s without a line).
fn follow(mut cmd: Command, demo: &Demo, pod: &str) -> Option<(f64, usize)> {
    let mut child = cmd
        .env("KUBECONFIG", &demo.kubeconfig)
        .args(["logs", pod, "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take()?;
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let last = LINES.to_string();
    let (mut first, mut end, mut seen) = (None, None, 0usize);
    let deadline = Instant::now() + Duration::from_secs(200);
    while Instant::now() < deadline {
        let wait = if first.is_some() { 20 } else { 120 };
        let Ok((at, line)) = rx.recv_timeout(Duration::from_secs(wait)) else {
            break;
        };
        first.get_or_insert(at);
        seen += 1;
        end = Some(at);
        if line == last {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let span = end?.duration_since(first?).as_secs_f64().max(1e-3);
    Some((seen as f64 / span, seen))
}

/// The TUI's log view on `pod`, open before the first line: from the first line on screen to
/// the last (captured every few milliseconds: a lower bound on the rate).
fn tui_follow(demo: &Demo, s: &Settings, pod: &str) -> Option<(f64, usize)> {
    let home = s.dir.join("home-logs");
    let t = Terminal::start(
        "logs",
        &demo.kubeconfig,
        &home,
        &format!("{} -n default", procs::PODSCOPE),
    );
    t.wait_for(Duration::from_secs(60), |s| s.contains(pod))?;
    t.keys(&[&format!("/{pod}"), "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    t.keys(&["l"]);
    t.wait_for(Duration::from_secs(60), |s| {
        s.contains(&format!("Logs {pod}"))
    })?;
    let last = LINES.to_string();
    let bottom = |screen: &str| -> Option<String> {
        screen
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_string)
    };
    let deadline = Instant::now() + Duration::from_secs(200);
    let mut first: Option<Instant> = None;
    while Instant::now() < deadline {
        let screen = t.screen();
        match bottom(&screen) {
            Some(b) if b == last => {
                let span = first?.elapsed().as_secs_f64().max(1e-3);
                // The view keeps its last 100,000 lines: how many came is not counted.
                return Some((LINES as f64 / span, 0));
            }
            Some(_) if first.is_none() => first = Some(Instant::now()),
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}
