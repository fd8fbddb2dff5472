//! What keeps podscope fast at scale, guarded by counting rather than timing (timings belong
//! to `cargo bench --bench scale`): a frame's work does not grow with pods off screen, a pod
//! costs a bounded amount of memory, and a watch on a churning server ends up with exactly
//! the server's pods.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::churn;
use k8s_openapi::jiff::Timestamp;
use podscope::demo::synthetic::synthetic_pods;
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;
use podscope::state::{App, Msg, Scope, Source, update};
use podscope::theme::Theme;
use podscope::tui::render::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Counts allocations and the bytes held, for the whole test binary.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests here count one process-wide allocator: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn insights(n: usize) -> Vec<Arc<PodInsight>> {
    let mut out: Vec<Arc<PodInsight>> = synthetic_pods(n, Timestamp::now())
        .iter()
        .map(|p| Arc::new(PodInsight::new(pod_from_api(p, None), &[])))
        .collect();
    out.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    out
}

/// Allocations made by drawing the pod list of `n` pods once (after a first frame).
fn allocations_per_frame(n: usize) -> usize {
    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut app = App::new(
        Source::Files {
            paths: vec!["guard".into()],
        },
        Scope::All,
        Timestamp::now(),
    );
    update(&mut app, Msg::Resize(200, 50));
    update(&mut app, Msg::Pods(Arc::new(insights(n))));
    terminal.draw(|f| draw(f, &app, &theme)).unwrap();
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    terminal.draw(|f| draw(f, &app, &theme)).unwrap();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

#[test]
fn a_frame_builds_only_the_rows_on_screen() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let few = allocations_per_frame(60);
    let many = allocations_per_frame(20_000);
    // The same 47 rows are on screen; only the header's count differs.
    assert!(
        many <= few + few / 10 + 16,
        "a frame of 20,000 pods allocated {many} times, of 60 pods {few}: rows off screen are being built"
    );
}

/// Bytes a pod's analysed model holds, at most (the 10,000-pod list budget of 100 MB
/// resident leaves room for the terminal, the runtime and the allocator's slack).
const BYTES_PER_POD: usize = 6 * 1024;

#[test]
fn an_analysed_pod_stays_under_its_memory_bound() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = 5_000;
    let api = synthetic_pods(n, Timestamp::now());
    let before = LIVE.load(Ordering::Relaxed);
    let models: Vec<Arc<PodInsight>> = api
        .iter()
        .map(|p| Arc::new(PodInsight::new(pod_from_api(p, None), &[])))
        .collect();
    let per_pod = (LIVE.load(Ordering::Relaxed).saturating_sub(before)) / n;
    drop(api);
    assert_eq!(models.len(), n);
    assert!(
        per_pod < BYTES_PER_POD,
        "{per_pod} bytes per analysed pod, over the bound of {BYTES_PER_POD}"
    );
}

#[test]
fn a_watch_on_a_churning_server_ends_with_exactly_the_servers_pods() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    common::block_on(churned_watch_converges());
}

async fn churned_watch_converges() {
    let run = churn::start(2_000, 200).await;
    // Three seconds of 200 changes a second, then quiet.
    tokio::time::sleep(Duration::from_secs(3)).await;
    run.cluster.set_churn(0);
    let (server, watched) = churn::converge(&run).await;
    churn::assert_same(&server, &watched);
    let restarted = server.iter().filter(|f| f.3.iter().any(|&r| r > 0)).count();
    assert!(
        restarted > 100,
        "churn changed pods while watched ({restarted})"
    );
    run.cluster.stop().await;
}
