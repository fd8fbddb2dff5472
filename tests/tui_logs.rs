//! The log view, exec and debug actions through the real keymap and `update`: the requests
//! they hand the event loop, what arrives from the streams, and what the screen shows.

mod common;

use common::screens::{demo_cluster_app, press, screen};
use podscope::model::log_line::LogLine;
use podscope::state::{App, Effect, ExecOutcome, Key, LogRequest, LogUpdate, Msg, Screen, update};

fn log_request(effects: &[Effect]) -> LogRequest {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Logs(r) => Some(r.clone()),
            _ => None,
        })
        .expect("a log request")
}

fn lines(stream: u64, source: usize, texts: &[&str], first_second: i64) -> Msg {
    let lines = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let raw = format!(
                "2026-11-21T10:00:{:02}.000000001Z {t}",
                first_second + i as i64
            );
            LogLine::parse(raw.into_bytes())
        })
        .collect();
    Msg::Log {
        stream,
        source,
        update: LogUpdate::Lines(lines),
    }
}

/// The pod view of `pod` on the demo cluster, with the `n`-th container selected.
fn pod_view(pod: &str, down: usize) -> App {
    let mut app = demo_cluster_app(120, 30);
    press(&mut app, &format!("/{pod}\n\n"));
    assert!(matches!(app.screen, Screen::Pod(_)), "{pod} opened");
    press(&mut app, &"j".repeat(down));
    app
}

#[test]
fn l_streams_the_selected_container_and_shows_its_lines() {
    let mut app = pod_view("crashy", 0);
    let effects = press(&mut app, "l");
    let request = log_request(&effects);
    assert_eq!(request.containers, ["app"]);
    assert!(request.follow && !request.previous && request.stitch_previous);
    assert_eq!(request.tail, Some(500));
    update(
        &mut app,
        lines(
            request.stream,
            0,
            &["starting app", "handling request 1"],
            1,
        ),
    );
    update(
        &mut app,
        Msg::Log {
            stream: request.stream,
            source: 0,
            update: LogUpdate::Restarted("── restarted: exit 1 (Error), restart #4 ──".into()),
        },
    );
    update(&mut app, lines(request.stream, 0, &["starting app"], 9));
    // Lines of an older stream are ignored.
    update(&mut app, lines(request.stream - 1, 0, &["stale"], 10));
    let s = screen(&app);
    assert!(
        s.contains("Logs crashy › app  following · last 500 · 4 lines"),
        "{s}"
    );
    assert!(
        s.contains("kubectl logs crashy -c app -n default --context podscope-demo -f --tail 500")
    );
    assert!(s.contains("── restarted: exit 1 (Error), restart #4 ──"));
    assert!(!s.contains("stale"));
    // Timestamps on, and esc goes back to the pod view, stopping the stream.
    press(&mut app, "t");
    assert!(screen(&app).contains("2026-11-21T10:00:01.000000001Z starting app"));
    let effects = press(&mut app, "\x1b");
    assert!(effects.contains(&Effect::StopLogs));
    assert!(matches!(app.screen, Screen::Pod(_)));
}

#[test]
fn search_highlights_and_filter_keeps_matching_lines() {
    let mut app = pod_view("crashy", 0);
    let stream = log_request(&press(&mut app, "l")).stream;
    let texts: Vec<String> = (0..40).map(|i| format!("handling request {i}")).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    update(&mut app, lines(stream, 0, &refs[..20], 0));
    update(&mut app, lines(stream, 0, &["fatal: lost connection"], 20));
    update(&mut app, lines(stream, 0, &refs[20..], 21));
    // Search: the newest match when following; n and N move between matches.
    press(&mut app, "/request 1\n");
    let Screen::Logs(view) = &app.screen else {
        panic!("log view")
    };
    assert!(view.top.is_some(), "a search pauses following");
    let s = screen(&app);
    assert!(s.contains("paused (G resumes)"), "{s}");
    assert!(
        s.lines().nth(3).unwrap().contains("handling request 19"),
        "{s}"
    );
    press(&mut app, "N");
    assert!(
        screen(&app)
            .lines()
            .nth(3)
            .unwrap()
            .contains("handling request 18")
    );
    press(&mut app, "G");
    assert!(screen(&app).contains("following"));
    // Filter: only matching lines, then the inverse.
    press(&mut app, "&fatal\n");
    let s = screen(&app);
    assert!(s.contains("& fatal (1 shown)"), "{s}");
    assert!(s.contains("fatal: lost connection") && !s.contains("handling request 3"));
    press(&mut app, "&");
    update(&mut app, Msg::Key(Key::Ctrl('u')));
    press(&mut app, "!request\n");
    let s = screen(&app);
    assert!(s.contains("& !request (1 shown)"), "{s}");
    // New lines go through the filter as they arrive.
    update(
        &mut app,
        lines(stream, 0, &["fatal again", "request 99"], 50),
    );
    assert!(screen(&app).contains("& !request (2 shown)"));
}

#[test]
fn all_containers_merge_by_time_with_prefixes() {
    let mut app = pod_view("counter", 0);
    let request = log_request(&press(&mut app, "a"));
    assert_eq!(request.containers, ["count", "count-agent"]);
    update(&mut app, lines(request.stream, 1, &["agent 0"], 0));
    update(&mut app, lines(request.stream, 1, &["agent 2"], 2));
    // count's backfill arrives later but is older: it goes in by time.
    update(&mut app, lines(request.stream, 0, &["count 1"], 1));
    let s = screen(&app);
    let body: Vec<&str> = s.lines().skip(3).take(3).collect();
    assert_eq!(
        body,
        [
            "[count-agent] agent 0",
            "[count] count 1",
            "[count-agent] agent 2"
        ]
    );
    assert!(s.contains("kubectl logs counter --all-containers --prefix -n default"));
}

#[test]
fn a_container_that_logs_to_files_says_where_its_lines_go() {
    let mut app = pod_view("counter", 0);
    press(&mut app, "l");
    let s = screen(&app).replace('\n', " ");
    assert!(
        s.contains("count writes its output to /var/log/1.log, /var/log/2.log on volume varlog"),
        "{s}"
    );
    assert!(s.contains("count-agent reads"), "{s}");
}

#[test]
fn previous_and_since_restart_the_stream() {
    let mut app = pod_view("crashy", 0);
    let first = log_request(&press(&mut app, "l"));
    let previous = log_request(&press(&mut app, "p"));
    assert!(previous.previous && !previous.follow && previous.stream > first.stream);
    assert!(screen(&app).contains("--previous"));
    let since = log_request(&press(&mut app, "2"));
    assert_eq!((since.since_seconds, since.tail), (Some(300), None));
    assert!(screen(&app).contains("--since 5m"));
}

#[test]
fn s_execs_into_the_selected_container_and_reports_the_exit_code() {
    let mut app = pod_view("counter", 1);
    let effects = press(&mut app, "s");
    let Some(Effect::Exec(request)) = effects.first() else {
        panic!("an exec effect, got {effects:?}")
    };
    assert_eq!(request.container, "count-agent");
    assert_eq!(request.command, None);
    update(
        &mut app,
        Msg::ExecEnded {
            container: request.container.clone(),
            kubectl: request.kubectl.clone(),
            notice: request.notice.clone(),
            outcome: ExecOutcome::Exited(3),
        },
    );
    let s = screen(&app);
    assert!(
        s.contains("count-agent: exit code 3 · kubectl exec -it counter -c count-agent -n default"),
        "{s}"
    );
    // A shell-less image: offer a debug container.
    update(
        &mut app,
        Msg::ExecEnded {
            container: "count-agent".into(),
            kubectl: String::new(),
            notice: None,
            outcome: ExecOutcome::NoExecutable {
                program: "sh".into(),
            },
        },
    );
    assert!(
        screen(&app).contains(
            "count-agent has no shell in its image (sh not found): d starts a debug container (busybox) that targets it"
        ),
        "{}",
        screen(&app)
    );
}

#[test]
fn from_the_list_the_default_container_is_used_with_kubectls_notice() {
    let mut app = demo_cluster_app(160, 30);
    press(&mut app, "/counter\n");
    let effects = press(&mut app, "s");
    let Some(Effect::Exec(request)) = effects.first() else {
        panic!("an exec effect")
    };
    assert_eq!(request.container, "count");
    update(
        &mut app,
        Msg::ExecEnded {
            container: "count".into(),
            kubectl: request.kubectl.clone(),
            notice: request.notice.clone(),
            outcome: ExecOutcome::Exited(0),
        },
    );
    let s = screen(&app);
    assert!(
        s.contains("Defaulted container \"count\" out of: count, count-agent"),
        "{s}"
    );
}

#[test]
fn exec_is_refused_for_a_container_that_is_not_running_and_in_readonly_mode() {
    let mut app = pod_view("myapp-pod", 2);
    assert!(press(&mut app, "s").is_empty());
    let s = screen(&app);
    assert!(s.contains("is not running"), "{s}");
    assert!(s.contains("l for its logs"));
    let mut app = pod_view("counter", 1);
    app.readonly = true;
    assert!(press(&mut app, "s").is_empty());
    assert!(screen(&app).contains("read-only (--readonly)"));
    assert!(press(&mut app, "d").is_empty());
}

#[test]
fn d_asks_before_adding_a_debug_container_with_the_targets_mounts() {
    let mut app = pod_view("counter", 1);
    assert!(press(&mut app, "d").is_empty());
    let s = screen(&app);
    assert!(s.contains("Add a debug container?"), "{s}");
    assert!(
        s.contains("Image busybox, in pod counter, sharing the process namespace of count-agent.")
    );
    assert!(
        s.contains("y   add it with count-agent's mounts: /var/log, /etc/fluentd-config"),
        "{s}"
    );
    assert!(
        s.contains("kubectl debug -it counter -n default --context podscope-demo --image=busybox")
    );
    let effects = press(&mut app, "y");
    let Some(Effect::Debug(request)) = effects.first() else {
        panic!("a debug effect")
    };
    assert!(request.with_mounts);
    assert_eq!(
        request.kubectl(Some("podscope-demo")),
        "kubectl debug -it counter -n default --context podscope-demo --image=busybox --target=count-agent --custom=mounts.json   # mounts.json: {\"volumeMounts\":[{\"name\":\"varlog\",\"mountPath\":\"/var/log\"},{\"name\":\"config-volume\",\"mountPath\":\"/etc/fluentd-config\"}]}"
    );
    // esc cancels.
    press(&mut app, "d\x1b");
    assert!(app.confirm.is_none());
}

#[test]
fn manifest_files_have_no_cluster_to_exec_into() {
    let mut app = common::screens::demo_app(140, 30);
    press(&mut app, "/counter\n");
    assert!(press(&mut app, "s").is_empty());
    assert!(press(&mut app, "l").is_empty());
    assert!(screen(&app).contains("no cluster here"));
}

#[test]
fn colon_exec_runs_a_command() {
    let mut app = pod_view("counter", 1);
    let effects = press(&mut app, ":exec ls -l /var/log\n");
    let Some(Effect::Exec(request)) = effects.first() else {
        panic!("an exec effect")
    };
    assert_eq!(
        request.command.as_deref(),
        Some(&["ls".to_string(), "-l".into(), "/var/log".into()][..])
    );
    assert!(
        request.kubectl.ends_with("-- ls -l /var/log"),
        "{}",
        request.kubectl
    );
}

#[test]
fn wrapping_counts_the_cells_of_wide_characters() {
    let mut app = pod_view("crashy", 0);
    let request = log_request(&press(&mut app, "l"));
    // 40 x "日本語" = 120 characters, 240 cells: wider than the 120-cell screen twice over.
    let wide = "日本語".repeat(40);
    update(
        &mut app,
        lines(request.stream, 0, &[&wide, "the last line"], 1),
    );
    press(&mut app, "w");
    let s = screen(&app);
    // Every character is on screen (none cut at the edge), on whole rows of 2-cell
    // characters, and following still shows the last line below them.
    assert_eq!(s.matches('日').count(), 40, "{s}");
    assert_eq!(s.matches('語').count(), 40, "{s}");
    assert!(s.contains("the last line"), "{s}");
    let wide_rows = s.lines().filter(|l| l.contains('本')).count();
    assert!(wide_rows >= 2, "{s}");
}
