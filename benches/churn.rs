//! `cargo bench --bench churn`: the real TUI (release build, tmux 200x50, all namespaces) on
//! `podscope demo --serve --synthetic 10000 --churn 200` for three minutes
//! (`PODSCOPE_CHURN_SECONDS`), sampled every 10 s: resident memory, CPU over the interval,
//! and the watches the server ended because a client fell behind. It prints the samples and
//! whether memory stayed flat after the first minute (numbers, not assertions: timings
//! belong here, not in tests). `tests/load.rs` checks the same load for correctness.

#[path = "scale/procs.rs"]
#[allow(dead_code)]
mod procs;

use std::time::{Duration, Instant};

use procs::{Demo, Terminal};

fn terminated_watchers(demo: &Demo) -> u64 {
    let out = demo.kubectl(&["get", "--raw", "/metrics"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("apiserver_terminated_watchers_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
    let seconds: u64 = std::env::var("PODSCOPE_CHURN_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180);
    let dir = std::env::temp_dir().join(format!("podscope-churn-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let demo = Demo::start(&dir, 10_000, 200, &[]);
    let term = Terminal::start(
        "churn",
        &demo.kubeconfig,
        &dir.join("home"),
        &format!("{} -A", procs::PODSCOPE),
    );
    let synced = term.wait_for(Duration::from_secs(120), |s| s.contains("synced"));
    let Some(pid) = term.pid() else {
        eprintln!("podscope did not start:\n{}", term.screen());
        std::process::exit(1);
    };
    println!(
        "podscope -A on {} pods, 200 changes/s: synced after {:.2} s",
        demo.pods,
        synced.map_or(f64::NAN, |d| d.as_secs_f64())
    );
    println!(
        "{:>6}  {:>10}  {:>10}  {:>8}  {:>11}",
        "time", "RSS MB", "peak MB", "CPU %", "terminated"
    );
    let started = Instant::now();
    let mut samples: Vec<(u64, u64)> = Vec::new();
    let mut cpu_before = procs::cpu_time(pid);
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_secs(10));
        let cpu_now = procs::cpu_time(pid);
        let share = (cpu_now - cpu_before).as_secs_f64() / 10.0;
        cpu_before = cpu_now;
        let (rss, hwm) = procs::memory(pid);
        let at = started.elapsed().as_secs();
        samples.push((at, rss));
        println!(
            "{:>5}s  {:>10.1}  {:>10.1}  {:>8.1}  {:>11}",
            at,
            rss as f64 / 1e6,
            hwm as f64 / 1e6,
            share * 100.0,
            terminated_watchers(&demo)
        );
    }
    let after_a_minute = samples.iter().find(|(t, _)| *t >= 60).map(|s| s.1);
    let last = samples.last().map(|s| s.1);
    if let (Some(a), Some(b)) = (after_a_minute, last) {
        println!(
            "resident memory after the first minute {:.1} MB, at the end {:.1} MB ({:+.1} %)",
            a as f64 / 1e6,
            b as f64 / 1e6,
            (b as f64 - a as f64) / a as f64 * 100.0
        );
    }
    let header = term.screen().lines().next().unwrap_or_default().to_string();
    println!("header at the end: {}", header.trim());
    drop(term);
    drop(demo);
    let _ = std::fs::remove_dir_all(&dir);
}
