//! Load: 10,000 pods and 200 changes a second for a minute (`PODSCOPE_LOAD_SECONDS`), watched
//! as the TUI watches them. The watch must keep up: the server never ends it for falling
//! behind (the apiserver's `apiserver_terminated_watchers_total`), and once the churn stops
//! it holds exactly the server's pods. How far behind it was, sampled every 5 s, is printed
//! (a number, not a timed assertion); resident memory under the same load is measured on the
//! real binary by `cargo bench --bench scale`.

mod common;

use std::time::{Duration, Instant};

use common::churn;

#[test]
fn a_watch_keeps_up_with_200_changes_a_second_on_10000_pods() {
    common::block_on(keeps_up());
}

async fn keeps_up() {
    let seconds: u64 = std::env::var("PODSCOPE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let run = churn::start(10_000, 200).await;
    let (churned_at_sync, seen_at_sync) = (run.cluster.churned(), churn::restarts(&run.watch));
    let started = Instant::now();
    let mut behind = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        // Changes the server made since the sync that the watch has not shown yet.
        let made = (run.cluster.churned() - churned_at_sync) as i64;
        let seen = churn::restarts(&run.watch) - seen_at_sync;
        behind.push(made - seen);
    }
    let made = run.cluster.churned() - churned_at_sync;
    run.cluster.set_churn(0);
    eprintln!("{made} changes in {seconds} s; changes not yet shown, every 5 s: {behind:?}");
    assert!(
        made as f64 > 100.0 * seconds as f64,
        "the churn ran ({made})"
    );
    assert_eq!(
        churn::terminated_watchers(&run.client).await,
        0,
        "the server ended a watch that fell behind"
    );
    let (server, watched) = churn::converge(&run).await;
    churn::assert_same(&server, &watched);
    run.cluster.stop().await;
}
