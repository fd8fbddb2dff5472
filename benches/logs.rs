//! The log view's ingest and drawing: 1,000,000 timestamped lines in batches of 1,024 (as a
//! log stream sends them) parsed and pushed through `update` into the ring buffer (100,000
//! lines kept), then frames drawn at 200x50 with the buffer full, plain, wrapped, with a
//! search and with a filter. Prints numbers (DESIGN §7: at least 200,000 lines/s while the
//! view stays responsive), asserts nothing.
//!
//!     cargo bench --bench logs

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::jiff::Timestamp;
use podscope::demo::synthetic::synthetic_pods;
use podscope::model::PodInsight;
use podscope::model::convert::pod_from_api;
use podscope::model::log_line::LogLine;
use podscope::state::{App, Key, LogUpdate, LogView, Msg, Scope, Screen, Source, pod_set, update};
use podscope::theme::Theme;
use podscope::tui::render::draw;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LINES: usize = 1_000_000;
const BATCH: usize = 1024;

fn main() {
    let now = Timestamp::now();
    let pod = synthetic_pods(1, now).remove(0);
    let insight = Arc::new(PodInsight::new(pod_from_api(&pod, None), &[]));
    let container = insight.pod.containers[0].name.clone();
    let mut app = App::new(
        Source::Cluster {
            context: Some("bench".into()),
            server: "https://127.0.0.1:1".into(),
            contexts: vec!["bench".into()],
            home_namespace: "default".into(),
        },
        Scope::All,
        now,
    );
    update(&mut app, Msg::Resize(200, 50));
    update(&mut app, Msg::Pods(pod_set(vec![(*insight).clone()])));
    let mut view = LogView::open(&insight, &container, false, false);
    view.buffer = podscope::state::log_buffer::LogBuffer::new(app.log_capacity);
    view.stream = 1;
    app.screen = Screen::Logs(Box::new(view));

    // What a busy container writes: a timestamp, a level, a request line of ~100 bytes.
    let raw: Vec<Vec<u8>> = (0..LINES)
        .map(|i| {
            format!(
                "2026-11-21T10:{:02}:{:02}.{:09}Z INFO GET /api/v1/orders/{i} 200 {}ms user=u{} trace=abc{i:08x}\n",
                (i / 60_000) % 60,
                (i / 1000) % 60,
                i,
                i % 97,
                i % 13
            )
            .into_bytes()
        })
        .collect();
    let started = Instant::now();
    let mut batch_times = Vec::new();
    for chunk in raw.chunks(BATCH) {
        let t = Instant::now();
        let lines: Vec<LogLine> = chunk.iter().map(|l| LogLine::parse(l.clone())).collect();
        update(
            &mut app,
            Msg::Log {
                stream: 1,
                source: 0,
                update: LogUpdate::Lines(lines),
            },
        );
        batch_times.push(t.elapsed());
    }
    let took = started.elapsed();
    let rate = LINES as f64 / took.as_secs_f64();
    batch_times.sort();
    println!(
        "ingest {LINES} lines (parse + update, batches of {BATCH}): {:.0} ms, {:.0} lines/s; per batch p50 {:.2} ms, p99 {:.2} ms",
        took.as_secs_f64() * 1000.0,
        rate,
        ms(batch_times[batch_times.len() / 2]),
        ms(batch_times[batch_times.len() * 99 / 100]),
    );
    let Screen::Logs(view) = &app.screen else {
        unreachable!()
    };
    println!(
        "buffer holds {} lines (capacity {})",
        view.buffer.len(),
        view.buffer.capacity()
    );

    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut frame = |label: &str, app: &App| {
        let mut times = Vec::new();
        for _ in 0..50 {
            let t = Instant::now();
            terminal.draw(|f| draw(f, app, &theme)).unwrap();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "draw 200x50, {label}: p50 {:.2} ms, max {:.2} ms",
            ms(times[25]),
            ms(times[49])
        );
    };
    frame("following", &app);
    update(&mut app, Msg::Key(Key::Char('w')));
    frame("wrapped", &app);
    for ch in "/orders/99".chars() {
        update(&mut app, Msg::Key(Key::Char(ch)));
    }
    let t = Instant::now();
    update(&mut app, Msg::Key(Key::Enter));
    println!("search jump over 100,000 lines: {:.2} ms", ms(t.elapsed()));
    frame("search highlighted", &app);
    let t = Instant::now();
    for ch in "&user=u7".chars() {
        update(&mut app, Msg::Key(Key::Char(ch)));
    }
    println!(
        "filter typed (7 keystrokes, each re-filtering 100,000 lines): {:.1} ms",
        ms(t.elapsed())
    );
    update(&mut app, Msg::Key(Key::Enter));
    frame("filtered", &app);
    let t = Instant::now();
    let more: Vec<LogLine> = raw[..BATCH]
        .iter()
        .map(|l| LogLine::parse(l.clone()))
        .collect();
    update(
        &mut app,
        Msg::Log {
            stream: 1,
            source: 0,
            update: LogUpdate::Lines(more),
        },
    );
    println!(
        "a batch of {BATCH} through the filter: {:.2} ms",
        ms(t.elapsed())
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
