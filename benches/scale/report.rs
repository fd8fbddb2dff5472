//! BENCHMARKS.md and its plot, from what the run measured: a table per N with medians and
//! the ratio to the best measured peer, the budgets of DESIGN §7 met or not, and the machine.

use std::fmt::Write;
use std::time::Duration;

use crate::clients::{Client, Figures};
use crate::logs::LogFigures;
use crate::{Scale, Settings};

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mb(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}

fn pct(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or("?".to_string(), |kb| {
            format!("{:.1} GiB", kb as f64 / 1048576.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} cores, {mem} memory, Linux {}", kernel.trim())
}

/// `value` and how it compares with the best peer's (lower is better): `0.21 s (0.16× kdash)`.
fn with_ratio(shown: String, mine: Option<f64>, peers: &[(&str, Option<f64>)]) -> String {
    let best = peers
        .iter()
        .filter_map(|(n, v)| v.map(|v| (n, v)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match (mine, best) {
        (Some(m), Some((name, b))) if b > 0.0 => format!("{shown} · {:.2}× {name}", m / b),
        _ => shown,
    }
}

pub fn markdown(scales: &[Scale], clients: &[Client], logs: &LogFigures, s: &Settings) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# podscope at scale, beside its peers\n");
    let _ = writeln!(
        out,
        "Written by `cargo bench --bench scale` (see `benches/scale/main.rs`); do not edit by hand.\n\n- Machine: {}.\n- Each timing is the median of {} runs; CPU and API load are measured over {} s windows.\n- Clients run in tmux (200x50) on all namespaces of `podscope demo --serve --synthetic N`; N includes the demo's 13 pods. \"Under churn\" is the same server with `--churn 200`.\n- Ratios compare with the best measured peer (lower is better).",
        machine(),
        s.runs,
        s.window.as_secs()
    );
    if s.window < Duration::from_secs(30) {
        let _ = writeln!(
            out,
            "- **A quick run** (`PODSCOPE_BENCH_WINDOW`): the windows are shorter than 30 s and memory under churn is read at the end of the window, not after 60 s."
        );
    }
    let missing: Vec<&str> = clients
        .iter()
        .filter(|c| !c.installed())
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "- Not measured (no binary in `PODSCOPE_PEERS`): {}.",
            missing.join(", ")
        );
    }
    for scale in scales {
        write_scale(&mut out, scale);
    }
    let rate = |r: Option<(f64, usize)>| match r {
        None => "not measured | |".to_string(),
        Some((rate, 0)) => format!("{rate:.0} lines/s | not counted |"),
        Some((rate, n)) => format!("{rate:.0} lines/s | {n} |"),
    };
    let _ = writeln!(
        out,
        "\n## Logs\n\nA container writes 1,000,000 numbered lines as fast as `seq` can while the reader follows it from before the first line; the rate is from its first line to its last. The demo keeps a container's last 20,000 lines, so a reader that falls behind loses lines.\n\n| reader | rate | lines received |\n|---|---|---|\n| `podscope logs -f` | {}\n| `kubectl logs -f` | {}\n| the TUI's log view (first line to last on screen) | {}",
        rate(logs.podscope_cli),
        rate(logs.kubectl),
        rate(logs.tui)
    );
    out.push_str(&budgets(scales));
    out.push_str("\n![first frame, memory and API load against N](screenshots/benchmarks.svg)\n");
    out
}

fn write_scale(out: &mut String, scale: &Scale) {
    let _ = writeln!(out, "\n## {} pods\n", scale.pods);
    let measured: Vec<(&str, &Figures)> = scale
        .clients
        .iter()
        .filter_map(|(n, f)| f.as_ref().map(|f| (n.as_str(), f)))
        .collect();
    let peers = |pick: &dyn Fn(&Figures) -> Option<f64>| -> Vec<(&str, Option<f64>)> {
        measured
            .iter()
            .filter(|(n, _)| *n != "podscope")
            .map(|(n, f)| (*n, pick(f)))
            .collect()
    };
    let _ = writeln!(
        out,
        "| client | first frame with pods | synced | resident after sync (peak) | after 60 s of churn (peak) | CPU idle | server CPU while it idles | requests/min idle | KB/min idle | CPU under churn | requests/min under churn | KB/min under churn |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for (name, f) in &scale.clients {
        let Some(f) = f else {
            let _ = writeln!(out, "| {name} | not measured | | | | | | | | | | |");
            continue;
        };
        let first = f.first_frame.map_or("never".to_string(), secs);
        let ratio = |shown: String, mine: Option<f64>, pick: &dyn Fn(&Figures) -> Option<f64>| {
            if *name == "podscope" {
                with_ratio(shown, mine, &peers(pick))
            } else {
                shown
            }
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} (peak {}) | {} | {} | {:.1} | {:.0} | {} | {:.1} | {:.0} |",
            ratio(first, f.first_frame.map(|d| d.as_secs_f64()), &|f| f
                .first_frame
                .map(|d| d.as_secs_f64())),
            f.synced.map_or("not shown".to_string(), secs),
            ratio(
                format!("{} (peak {})", mb(f.rss), mb(f.hwm)),
                Some(f.rss as f64),
                &|f| Some(f.rss as f64)
            ),
            mb(f.churn_rss),
            mb(f.churn_hwm),
            ratio(pct(f.idle_cpu), Some(f.idle_cpu), &|f| Some(f.idle_cpu)),
            pct(f.server_idle_cpu),
            f.idle_load.0,
            f.idle_load.1 / 1000.0,
            pct(f.churn_cpu),
            f.churn_load.0,
            f.churn_load.1 / 1000.0,
        );
    }
    let _ = writeln!(
        out,
        "\nThe server's CPU with no client: {}. `kubectl get pods -A`: {}; `kubectl get pods -A -o json`: {}; `podscope describe -A -o json`: {}. A filter keystroke to the redrawn frame (in-process, 200x50): p50 {:.2} ms, p99 {:.2} ms.",
        pct(scale.server_alone),
        secs(scale.kubectl_get),
        secs(scale.kubectl_json),
        secs(scale.describe_json),
        scale.filter.0.as_secs_f64() * 1000.0,
        scale.filter.1.as_secs_f64() * 1000.0,
    );
}

/// DESIGN §7's budgets against podscope's figures.
fn budgets(scales: &[Scale]) -> String {
    let mut out = String::from(
        "\n## Budgets (DESIGN §7)\n\n| N | budget | measured | met |\n|---|---|---|---|\n",
    );
    let mut row = |n: usize, budget: &str, measured: String, met: bool| {
        let _ = writeln!(
            out,
            "| {n} | {budget} | {measured} | {} |",
            if met { "yes" } else { "**no**" }
        );
    };
    for s in scales {
        let Some(Some(f)) = s
            .clients
            .iter()
            .find(|(n, _)| n == "podscope")
            .map(|(_, f)| f)
        else {
            continue;
        };
        let first = f.first_frame.unwrap_or(Duration::MAX);
        let half = s.kubectl_get / 2;
        row(
            s.pods,
            "first frame ≤ half of `kubectl get pods -A`",
            format!("{} vs {}", secs(first), secs(half)),
            first <= half,
        );
        let best_peer = s
            .clients
            .iter()
            .filter(|(n, _)| n != "podscope")
            .filter_map(|(n, f)| f.as_ref().and_then(|f| f.first_frame).map(|d| (n, d)))
            .min_by_key(|(_, d)| *d);
        if let Some((peer, d)) = best_peer {
            row(
                s.pods,
                "first frame ahead of every peer",
                format!("{} vs {peer} {}", secs(first), secs(d)),
                first < d,
            );
        }
        row(
            s.pods,
            "idle CPU < 0.5 %",
            pct(f.idle_cpu),
            f.idle_cpu < 0.005,
        );
        row(
            s.pods,
            "no requests when idle beyond the watches",
            format!("{:.1}/min", f.idle_load.0),
            f.idle_load.0 < 1.0,
        );
        let synced = f.synced.unwrap_or(Duration::MAX);
        match s.pods {
            n if n <= 20_000 => {
                row(
                    n,
                    "synced and drawn ≤ 1.5 s",
                    secs(synced),
                    synced <= Duration::from_millis(1500),
                );
                row(n, "resident < 100 MB", mb(f.rss), f.rss < 100_000_000);
                row(
                    n,
                    "filter keystroke p99 < 10 ms",
                    format!("{:.2} ms", s.filter.1.as_secs_f64() * 1000.0),
                    s.filter.1 < Duration::from_millis(10),
                );
            }
            n if n <= 60_000 => {
                row(
                    n,
                    "synced ≤ 6 s",
                    secs(synced),
                    synced <= Duration::from_secs(6),
                );
                row(n, "resident < 400 MB", mb(f.rss), f.rss < 400_000_000);
                row(
                    n,
                    "filter keystroke p99 < 10 ms",
                    format!("{:.2} ms", s.filter.1.as_secs_f64() * 1000.0),
                    s.filter.1 < Duration::from_millis(10),
                );
            }
            _ => {}
        }
    }
    out
}

/// Three small charts against N (log scale): first frame, resident memory, requests/min under
/// churn; a line per measured client.
pub fn plot(scales: &[Scale], clients: &[Client]) -> String {
    let colours = ["#2e7d32", "#1565c0", "#ef6c00", "#6a1b9a"];
    type Pick<'a> = &'a dyn Fn(&Figures) -> f64;
    let charts: [(&str, Pick); 3] = [
        ("first frame with pods (s)", &|f| {
            f.first_frame.map_or(0.0, |d| d.as_secs_f64())
        }),
        ("resident after sync (MB)", &|f| f.rss as f64 / 1e6),
        ("requests/min under churn", &|f| f.churn_load.0),
    ];
    let (w, h, pad) = (300.0, 200.0, 40.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        w * 3.0 + 40.0,
        h + 60.0
    );
    let ns: Vec<f64> = scales.iter().map(|s| (s.pods as f64).log10()).collect();
    let (nmin, nmax) = (
        ns.iter().cloned().fold(f64::MAX, f64::min),
        ns.iter().cloned().fold(f64::MIN, f64::max),
    );
    for (c, (title, pick)) in charts.iter().enumerate() {
        let x0 = 10.0 + c as f64 * (w + 10.0);
        let values: Vec<Vec<Option<f64>>> = clients
            .iter()
            .map(|cl| {
                scales
                    .iter()
                    .map(|s| {
                        s.clients
                            .iter()
                            .find(|(n, _)| n == cl.name)
                            .and_then(|(_, f)| f.as_ref().map(pick))
                    })
                    .collect()
            })
            .collect();
        let vmax = values
            .iter()
            .flatten()
            .flatten()
            .cloned()
            .fold(0.0, f64::max)
            .max(1e-9);
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"16\" font-weight=\"bold\">{title}</text>",
            x0 + pad
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{}\" y=\"24\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>",
            x0 + pad,
            w - pad,
            h - pad
        );
        let _ = writeln!(
            svg,
            "<text x=\"{x0}\" y=\"32\">{vmax:.1}</text><text x=\"{x0}\" y=\"{}\">0</text>",
            h - 16.0
        );
        let xpos =
            |n: f64| x0 + pad + (n - nmin) / (nmax - nmin).max(1e-9) * (w - pad - 10.0) + 5.0;
        let ypos = |v: f64| 24.0 + (h - pad) * (1.0 - v / vmax);
        for (i, s) in scales.iter().enumerate() {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}k</text>",
                xpos(ns[i]),
                h + 0.0,
                s.pods / 1000
            );
        }
        for (k, series) in values.iter().enumerate() {
            let points: Vec<String> = series
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", xpos(ns[i]), ypos(v))))
                .collect();
            if !points.is_empty() {
                let _ = writeln!(
                    svg,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                    points.join(" "),
                    colours[k % 4]
                );
            }
        }
    }
    for (k, cl) in clients.iter().filter(|c| c.installed()).enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">■ {}</text>",
            50.0 + k as f64 * 100.0,
            h + 40.0,
            colours[clients.iter().position(|c| c.name == cl.name).unwrap_or(k) % 4],
            cl.name
        );
    }
    svg.push_str("</svg>\n");
    svg
}
