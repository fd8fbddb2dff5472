//! The pod list on a cluster-sized pod set: 10,000 synthetic pods (the demo's `--synthetic`
//! generator, 30,000+ containers, all namespaces) converted and analysed as the watcher
//! does, handed to the state, drawn at 200x50; then each keystroke of a filter typed
//! through `update`, with the redraw. Prints numbers (DESIGN §7 budgets), asserts nothing.
//!
//!     cargo bench --bench tui

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use podscope::demo::synthetic::synthetic_pods;
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;
use podscope::state::{App, Key, Msg, Scope, Source, update};
use podscope::theme::Theme;
use podscope::tui::render::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PODS: usize = 10_000;

/// Counts the bytes the program holds, to tell live data from what the allocator keeps.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_mib() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / (1024.0 * 1024.0)
}

/// This process's resident memory in MiB (Linux).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    let now = Timestamp::now();
    let api_pods = synthetic_pods(PODS, now);
    let api_live = live_mib();
    let started = Instant::now();
    let mut insights: Vec<Arc<PodInsight>> = api_pods
        .iter()
        .map(|p| Arc::new(PodInsight::new(pod_from_api(p, None), &[])))
        .collect();
    insights.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    let converted = started.elapsed();
    let containers: usize = insights.iter().map(|p| p.pod.containers.len()).sum();
    let both_live = live_mib();
    drop(api_pods);
    let model_live = live_mib();

    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut app = App::new(
        Source::Files {
            paths: vec!["bench".into()],
        },
        Scope::All,
        now,
    );
    update(&mut app, Msg::Resize(200, 50));
    let started = Instant::now();
    update(&mut app, Msg::Pods(Arc::new(insights)));
    terminal.draw(|f| draw(f, &app, &theme)).unwrap();
    let first_frame = started.elapsed();

    let mut samples: Vec<Duration> = Vec::new();
    let mut updates: Vec<Duration> = Vec::new();
    update(&mut app, Msg::Key(Key::Char('/')));
    for _ in 0..20 {
        for ch in "web-7".chars() {
            let t = Instant::now();
            update(&mut app, Msg::Key(Key::Char(ch)));
            updates.push(t.elapsed());
            terminal.draw(|f| draw(f, &app, &theme)).unwrap();
            samples.push(t.elapsed());
        }
        for _ in 0..5 {
            let t = Instant::now();
            update(&mut app, Msg::Key(Key::Backspace));
            terminal.draw(|f| draw(f, &app, &theme)).unwrap();
            samples.push(t.elapsed());
        }
    }
    samples.sort();
    updates.sort();
    println!(
        "of which update alone: p50 {:?}, p99 {:?}",
        updates[updates.len() / 2],
        updates[updates.len() * 99 / 100]
    );
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!("pods: {PODS}, containers: {containers}");
    println!(
        "heap in use: API pods {api_live:.0} MiB, + model {:.0} MiB, model alone {model_live:.0} MiB, after drawing and filtering {:.0} MiB; resident {:.0} MiB",
        both_live - api_live,
        live_mib(),
        rss_mib()
    );
    println!("convert + analyse (the watcher's work): {converted:?}");
    println!("snapshot into the state + first frame: {first_frame:?}");
    println!(
        "filter keystroke update + draw ({} samples): p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}
