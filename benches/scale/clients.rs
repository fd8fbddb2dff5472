//! The clients compared: podscope, and the peers a `PODSCOPE_PEERS` folder holds. Each runs in
//! a real terminal on all namespaces and is measured the same way.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::Settings;
use crate::procs::{self, Demo, Terminal};

pub struct Client {
    pub name: &'static str,
    binary: Option<PathBuf>,
    args: &'static str,
    /// What the screen says once the list is complete, for a client that says so.
    synced: Option<&'static str>,
}

/// Everything measured of one client at one N; `None` where it could not be told.
#[derive(Default, Clone)]
pub struct Figures {
    pub first_frame: Option<Duration>,
    pub synced: Option<Duration>,
    pub rss: u64,
    pub hwm: u64,
    pub idle_cpu: f64,
    pub server_idle_cpu: f64,
    /// Requests and bytes per minute.
    pub idle_load: (f64, f64),
    pub churn_cpu: f64,
    pub churn_load: (f64, f64),
    pub churn_rss: u64,
    pub churn_hwm: u64,
}

const TIMEOUT: Duration = Duration::from_secs(240);
/// How long a client that never says "synced" is given after its first pods before it is
/// measured at rest.
const SETTLE: Duration = Duration::from_secs(5);

pub fn all(peers: Option<&Path>) -> Vec<Client> {
    let peer = |name: &str| peers.map(|p| p.join(name)).filter(|p| p.is_file());
    vec![
        Client {
            name: "podscope",
            binary: Some(PathBuf::from(procs::PODSCOPE)),
            args: "-A",
            synced: Some("● synced"),
        },
        Client {
            name: "kdash",
            binary: peer("kdash"),
            // kdash starts on every namespace.
            args: "",
            synced: None,
        },
        Client {
            name: "kubetui",
            binary: peer("kubetui"),
            args: "--all-namespaces",
            synced: None,
        },
        Client {
            name: "k9s",
            binary: peer("k9s"),
            args: "-A",
            synced: None,
        },
    ]
}

/// A pod on screen: one of the demo's own pods, or a synthetic one by its name (`web-00042`);
/// not a namespace name (`synthetic-07`), which some clients list before any pod.
fn shows_pods(screen: &str) -> bool {
    screen.contains("ambassador-example")
        || screen
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .any(|word| {
                word.rsplit_once('-').is_some_and(|(name, n)| {
                    n.len() == 5
                        && n.chars().all(|c| c.is_ascii_digit())
                        && name != "synthetic"
                        && !name.is_empty()
                })
            })
}

impl Client {
    pub fn installed(&self) -> bool {
        self.binary.is_some()
    }

    fn launch(&self, demo: &Demo, s: &Settings, run: usize) -> Terminal {
        let binary = self.binary.as_ref().expect("installed");
        let home = s.dir.join(format!("home-{}-{run}", self.name));
        Terminal::start(
            self.name,
            &demo.kubeconfig,
            &home,
            &format!("{} {}", binary.display(), self.args),
        )
    }

    /// Wait for the first pods and, where the client says so, for the sync; then let it rest.
    fn until_settled(&self, t: &Terminal) -> (Option<Duration>, Option<Duration>) {
        let first = t.wait_for(TIMEOUT, shows_pods);
        let synced = match self.synced {
            Some(marker) => t.wait_for(TIMEOUT, |s| s.contains(marker)),
            None => {
                std::thread::sleep(SETTLE);
                None
            }
        };
        (first, synced)
    }

    /// Launch to first pods and to synced (medians), then memory, CPU and API load at rest.
    pub fn measure_idle(&self, demo: &Demo, s: &Settings) -> Figures {
        let mut firsts = Vec::new();
        let mut synceds = Vec::new();
        for run in 0..s.runs {
            let t = self.launch(demo, s, run);
            let (first, synced) = self.until_settled(&t);
            eprintln!(
                "  {} run {run}: first pods {first:?}, synced {synced:?}",
                self.name
            );
            firsts.extend(first);
            synceds.extend(synced);
            drop(t);
            std::thread::sleep(Duration::from_secs(1));
        }
        let mut f = Figures {
            first_frame: (!firsts.is_empty()).then(|| procs::median(firsts)),
            synced: (!synceds.is_empty()).then(|| procs::median(synceds)),
            ..Default::default()
        };
        let t = self.launch(demo, s, s.runs);
        self.until_settled(&t);
        let Some(pid) = t.pid() else { return f };
        (f.rss, f.hwm) = procs::memory(pid);
        let (cpu, server, load) = window(pid, demo, s.window);
        f.idle_cpu = cpu;
        f.server_idle_cpu = server;
        f.idle_load = load;
        eprintln!(
            "  {} at rest: RSS {} MB, CPU {:.1} %, server {:.1} %, {:.1} requests/min",
            self.name,
            f.rss / 1_000_000,
            cpu * 100.0,
            server * 100.0,
            load.0
        );
        f
    }

    /// On a server changing 200 pods a second: CPU and API load over the window, then memory
    /// after 60 s of it.
    pub fn measure_churn(&self, demo: &Demo, s: &Settings, f: &mut Figures) {
        let t = self.launch(demo, s, s.runs + 1);
        self.until_settled(&t);
        let Some(pid) = t.pid() else { return };
        let started = std::time::Instant::now();
        let (cpu, _, load) = window(pid, demo, s.window);
        f.churn_cpu = cpu;
        f.churn_load = load;
        let rest = Duration::from_secs(60).saturating_sub(started.elapsed());
        if s.window >= Duration::from_secs(30) {
            std::thread::sleep(rest);
        }
        (f.churn_rss, f.churn_hwm) = procs::memory(pid);
        eprintln!(
            "  {} under churn: CPU {:.1} %, {:.1} requests/min, RSS {} MB",
            self.name,
            cpu * 100.0,
            load.0,
            f.churn_rss / 1_000_000
        );
    }
}

/// The client's and the server's CPU share over `window`, and the client's requests and
/// bytes per minute.
fn window(pid: u32, demo: &Demo, window: Duration) -> (f64, f64, (f64, f64)) {
    let before = demo.load();
    let (c0, s0) = (procs::cpu_time(pid), procs::cpu_time(demo.pid()));
    std::thread::sleep(window);
    let (c1, s1) = (procs::cpu_time(pid), procs::cpu_time(demo.pid()));
    let after = demo.load();
    let secs = window.as_secs_f64();
    let (requests, bytes) = procs::load_between(&before, &after);
    let per_minute = 60.0 / secs;
    (
        c1.saturating_sub(c0).as_secs_f64() / secs,
        s1.saturating_sub(s0).as_secs_f64() / secs,
        (requests as f64 * per_minute, bytes as f64 * per_minute),
    )
}
