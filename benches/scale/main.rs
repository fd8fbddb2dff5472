//! podscope at cluster scale, side by side with its peers, from one command:
//!
//!     cargo bench --bench scale                 # 1,000, 10,000 and 50,000 pods
//!     cargo bench --bench scale -- --full       # and 150,000
//!     PODSCOPE_PEERS=/path/to/bin cargo bench --bench scale   # with k9s, kdash, kubetui
//!
//! For each N it starts `podscope demo --serve --synthetic N` (the release binary this bench
//! is built with) and measures, each timing a median of `PODSCOPE_BENCH_RUNS` (default 3):
//! launch to the first frame with pods and to "synced" in a real terminal (tmux, 200x50, all
//! namespaces) against `kubectl get pods -A` to completion; `describe -A -o json` against
//! `kubectl get pods -A -o json`; resident memory after the sync and after 60 s of
//! `--churn 200`; CPU over 30 s idle and 30 s of churn, the client's and the server's; the
//! requests and bytes the client asked of the server per minute (the demo's `/metrics`);
//! a filter keystroke to the redrawn frame (p50, p99); and how fast `podscope logs -f` and
//! the TUI's log path take a container's output against `kubectl logs -f`. A peer found in
//! `PODSCOPE_PEERS` is measured the same way; one that is not is listed as not measured.
//! It writes `BENCHMARKS.md` and `screenshots/benchmarks.svg`. `PODSCOPE_BENCH_WINDOW=S`
//! shortens the 30 s windows and `PODSCOPE_BENCH_SIZES=1000,5000` picks the sizes (for a
//! quick look; the file says so).

mod clients;
mod filter;
mod logs;
mod procs;
mod report;

use std::path::PathBuf;
use std::time::Duration;

use clients::{Client, Figures};

/// What one N measured.
pub struct Scale {
    pub pods: usize,
    pub kubectl_get: Duration,
    pub kubectl_json: Duration,
    pub describe_json: Duration,
    /// The demo server's CPU share with no client connected.
    pub server_alone: f64,
    pub clients: Vec<(String, Option<Figures>)>,
    pub filter: (Duration, Duration),
}

pub struct Settings {
    pub runs: usize,
    pub window: Duration,
    pub dir: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; `cargo test` runs benches in test mode: do nothing then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let full = args.iter().any(|a| a == "--full");
    let env_num = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let dir = std::env::temp_dir().join(format!("podscope-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let settings = Settings {
        runs: env_num("PODSCOPE_BENCH_RUNS", 3).max(1) as usize,
        window: Duration::from_secs(env_num("PODSCOPE_BENCH_WINDOW", 30).max(1)),
        dir: dir.clone(),
    };
    let peers = std::env::var_os("PODSCOPE_PEERS").map(PathBuf::from);
    let clients = clients::all(peers.as_deref());
    let mut sizes = vec![1_000, 10_000, 50_000];
    if full {
        sizes.push(150_000);
    }
    if let Ok(list) = std::env::var("PODSCOPE_BENCH_SIZES") {
        sizes = list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
    }
    let mut scales = Vec::new();
    for &n in &sizes {
        eprintln!("== {n} pods");
        scales.push(measure(n, &clients, &settings));
    }
    eprintln!("== logs");
    let logs = logs::measure(&settings);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let markdown = report::markdown(&scales, &clients, &logs, &settings);
    std::fs::write(root.join("BENCHMARKS.md"), &markdown).expect("BENCHMARKS.md written");
    std::fs::write(
        root.join("screenshots/benchmarks.svg"),
        report::plot(&scales, &clients),
    )
    .expect("the plot written");
    println!("{markdown}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn measure(n: usize, clients: &[Client], s: &Settings) -> Scale {
    let demo = procs::Demo::start(&s.dir, n, 0, &[]);
    let pods = demo.pods;
    let runs = |what: &str, cmd: &dyn Fn() -> std::process::Command| {
        let times: Vec<Duration> = (0..s.runs).map(|_| procs::time_command(cmd())).collect();
        eprintln!("  {what}: {times:?}");
        procs::median(times)
    };
    let kubectl = |args: &'static [&'static str]| {
        let kc = demo.kubeconfig.clone();
        move || {
            let mut c = std::process::Command::new("kubectl");
            c.env("KUBECONFIG", &kc).args(args);
            c
        }
    };
    let kubectl_get = runs("kubectl get pods -A", &kubectl(&["get", "pods", "-A"]));
    let kubectl_json = runs(
        "kubectl get pods -A -o json",
        &kubectl(&["get", "pods", "-A", "-o", "json"]),
    );
    let kc = demo.kubeconfig.clone();
    let describe_json = runs("podscope describe -A -o json", &|| {
        let mut c = std::process::Command::new(procs::PODSCOPE);
        c.args(["describe", "-A", "-o", "json", "--kubeconfig"])
            .arg(&kc);
        c
    });
    let server_alone = procs::cpu_share(demo.pid(), s.window);
    let mut figures: Vec<(String, Option<Figures>)> = clients
        .iter()
        .map(|c| {
            let f = c.installed().then(|| c.measure_idle(&demo, s));
            (c.name.to_string(), f)
        })
        .collect();
    drop(demo);
    let churning = procs::Demo::start(&s.dir, n, 200, &[]);
    for (c, (_, f)) in clients.iter().zip(figures.iter_mut()) {
        if let Some(f) = f {
            c.measure_churn(&churning, s, f);
        }
    }
    drop(churning);
    Scale {
        pods,
        kubectl_get,
        kubectl_json,
        describe_json,
        server_alone,
        clients: figures,
        filter: filter::keystroke(n),
    }
}
