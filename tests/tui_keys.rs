//! Key sequences through the real keymap and `update`, with pods and connection changes
//! injected as messages, as the event loop delivers them.

mod common;

use std::sync::Arc;

use common::screens::{demo_app, demo_cluster_app, press, screen};
use k8s_openapi::jiff::SignedDuration;
use podscope::state::{App, Connection, Effect, Key, Msg, Scope, Screen, Source, pod_set, update};

fn selected_name(app: &App) -> String {
    app.table.selected_pod().unwrap().pod.name.clone()
}

/// The demo pods on a cluster with two contexts.
fn cluster_app() -> App {
    let mut app = demo_cluster_app(120, 40);
    let source = Source::Cluster {
        context: Some("prod".into()),
        server: "https://10.0.0.1:6443".into(),
        contexts: vec!["prod".into(), "staging".into()],
        home_namespace: "default".into(),
    };
    let pods = app.table.pods().clone();
    update(&mut app, Msg::ContextSwitched(source));
    update(&mut app, Msg::Pods(pods));
    update(&mut app, Msg::Connection(Connection::Synced));
    app
}

#[test]
fn filter_narrows_and_escape_clears() {
    let mut app = demo_app(120, 40);
    assert_eq!(app.table.len(), 13);
    press(&mut app, "/fluentd");
    // Images count: counter's sidecar runs fluentd.
    assert_eq!(app.table.len(), 1);
    assert_eq!(selected_name(&app), "counter");
    press(&mut app, "\n");
    assert!(app.prompt.is_none());
    assert_eq!(app.table.len(), 1, "enter keeps the filter");
    press(&mut app, "\x1b");
    assert_eq!(app.table.len(), 13, "esc on the list clears it");
    assert_eq!(
        selected_name(&app),
        "counter",
        "the selection stays on the pod"
    );
}

#[test]
fn filter_matches_labels_namespaces_and_container_names() {
    let mut app = demo_app(120, 40);
    press(&mut app, "/elastic");
    assert_eq!(selected_name(&app), "app");
    press(&mut app, "\x1b/count-agent");
    assert_eq!(app.table.len(), 1);
    press(&mut app, "\x1b/zzzz");
    assert_eq!(app.table.len(), 0);
    assert!(screen(&app).contains("No pod matches /zzzz"));
}

#[test]
fn sorting_by_restarts_then_reversing() {
    let mut app = demo_app(120, 40);
    press(&mut app, "R");
    assert_eq!(
        selected_name(&app),
        "ambassador-example",
        "selection follows the pod"
    );
    press(&mut app, "⇱");
    assert_eq!(selected_name(&app), "crashy", "most restarts first");
    press(&mut app, "RG");
    assert_eq!(
        selected_name(&app),
        "crashy",
        "reversed: most restarts last"
    );
    press(&mut app, "N");
    press(&mut app, "⇱");
    assert_eq!(selected_name(&app), "ambassador-example");
}

#[test]
fn selection_follows_the_pod_when_pods_come_and_go() {
    let mut app = demo_app(120, 40);
    press(&mut app, "jj");
    assert_eq!(selected_name(&app), "crashy");
    // A new snapshot without ambassador-example and counter.
    let fewer: Vec<_> = app
        .table
        .pods()
        .iter()
        .filter(|p| p.pod.name != "ambassador-example" && p.pod.name != "counter")
        .map(|p| (**p).clone())
        .collect();
    update(&mut app, Msg::Pods(pod_set(fewer)));
    assert_eq!(selected_name(&app), "crashy");
    assert_eq!(app.table.selected(), 0);
}

#[test]
fn opening_a_pod_selects_the_default_container_and_copies_kubectl() {
    let mut app = cluster_app();
    press(&mut app, "j\n");
    let Screen::Pod(view) = &app.screen else {
        panic!("enter opens the pod")
    };
    assert_eq!(view.name, "counter");
    let text = screen(&app);
    assert!(text.contains("● count "), "{text}");
    assert!(text.contains("◆ count-agent"), "{text}");
    assert!(text.contains("default"), "the default container is marked");
    press(&mut app, "j");
    let out = update(&mut app, Msg::Key(Key::Char('c')));
    assert_eq!(
        out.effects,
        vec![Effect::Copy(
            "kubectl exec -it counter -c count-agent -n default --context prod -- sh".into()
        )]
    );
    let out = update(&mut app, Msg::Key(Key::Char('C')));
    assert_eq!(
        out.effects,
        vec![Effect::Copy(
            "kubectl logs counter -c count-agent -n default --context prod -f".into()
        )]
    );
    assert!(screen(&app).contains("copied: kubectl logs counter"));
    press(&mut app, "v");
    assert!(matches!(app.screen, Screen::Volumes(_)));
    press(&mut app, "\x1b");
    assert!(
        matches!(app.screen, Screen::Pod(_)),
        "esc returns to the pod view"
    );
    press(&mut app, "\x1b");
    assert!(matches!(app.screen, Screen::List));
}

#[test]
fn namespace_command_rewatches_on_a_cluster() {
    let mut app = cluster_app();
    update(&mut app, Msg::Key(Key::Char(':')));
    press(&mut app, "ns elas");
    update(&mut app, Msg::Key(Key::Tab));
    assert_eq!(app.prompt.as_ref().unwrap().text, "ns elastic-stack");
    let out = update(&mut app, Msg::Key(Key::Enter));
    assert_eq!(
        out.effects,
        vec![Effect::Rewatch(Scope::Namespace("elastic-stack".into()))]
    );
    assert_eq!(app.table.len(), 1);
    assert_eq!(app.connection, Connection::Connecting);
}

#[test]
fn context_command_checks_the_name() {
    let mut app = cluster_app();
    press(&mut app, ":ctx nope\n");
    assert!(screen(&app).contains("no context nope in the kubeconfig"));
    update(&mut app, Msg::Key(Key::Char(':')));
    press(&mut app, "ctx st");
    update(&mut app, Msg::Key(Key::Tab));
    let out = update(&mut app, Msg::Key(Key::Enter));
    assert_eq!(out.effects, vec![Effect::SwitchContext("staging".into())]);
}

#[test]
fn forbidden_all_namespaces_falls_back_to_the_context_namespace() {
    let mut app = cluster_app();
    let out = update(
        &mut app,
        Msg::ForbiddenAllNamespaces {
            reason: "403: pods is forbidden".into(),
        },
    );
    assert_eq!(
        out.effects,
        vec![Effect::Rewatch(Scope::Namespace("default".into()))]
    );
    let text = screen(&app);
    assert!(
        text.contains("not allowed to list pods in all namespaces"),
        "{text}"
    );
    assert!(text.contains("ns default"), "{text}");
}

#[test]
fn the_connection_state_is_always_in_the_header() {
    let mut app = cluster_app();
    // Wide enough for the whole header: at 120 columns the reason is cut at the edge.
    update(&mut app, Msg::Resize(200, 40));
    let since = app.now - k8s_openapi::jiff::SignedDuration::from_secs(90);
    update(
        &mut app,
        Msg::Connection(Connection::Reconnecting {
            reason: "Connection refused (os error 111)".into(),
            attempt: 3,
            since,
        }),
    );
    let text = screen(&app);
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("cannot reach https://10.0.0.1:6443 (retry 3)"),
        "{text}"
    );
    assert!(header.contains("Connection refused"), "{text}");
    // The pods shown are the last ones known, and the header says since when.
    assert!(header.contains("stale since"), "{text}");
    assert!(header.contains("(90s ago)"), "{text}");
    let mut fresh = cluster_app();
    update(&mut fresh, Msg::Connection(Connection::Connecting));
    update(&mut fresh, Msg::Pods(Arc::new(Vec::new())));
    let text = screen(&fresh);
    assert!(
        text.contains("connecting to https://10.0.0.1:6443"),
        "{text}"
    );
}

#[test]
fn clock_ticks_redraw_only_when_a_shown_age_changes() {
    let mut app = demo_app(120, 40);
    let later = app.now + SignedDuration::from_millis(300);
    assert!(!update(&mut app, Msg::Tick(later)).redraw);
    let minute = app.now + SignedDuration::from_secs(60);
    assert!(update(&mut app, Msg::Tick(minute)).redraw);
    assert!(
        !update(&mut app, Msg::Key(Key::Char('x'))).redraw,
        "unbound keys do nothing"
    );
}

#[test]
fn resize_keeps_the_selection_on_screen() {
    let mut app = demo_app(120, 40);
    press(&mut app, "G");
    assert_eq!(selected_name(&app), "app");
    update(&mut app, Msg::Resize(80, 8));
    assert_eq!(selected_name(&app), "app");
    assert!(
        screen(&app).contains("elastic-stack"),
        "the selected row is visible"
    );
}

#[test]
fn a_deleted_pod_says_so_and_esc_goes_back() {
    let mut app = demo_app(120, 40);
    press(&mut app, "j\n");
    update(&mut app, Msg::Pods(Arc::new(Vec::new())));
    assert!(screen(&app).contains("Pod default/counter is gone"));
    press(&mut app, "\x1b");
    assert!(matches!(app.screen, Screen::List));
}

#[test]
fn quit_and_suspend_are_effects() {
    let mut app = demo_app(80, 24);
    assert_eq!(
        update(&mut app, Msg::Key(Key::Ctrl('z'))).effects,
        vec![Effect::Suspend]
    );
    assert_eq!(
        update(&mut app, Msg::Key(Key::Char('q'))).effects,
        vec![Effect::Quit]
    );
    // At 80x24 the help is taller than the screen: scroll keys scroll it (never past its
    // end), any other key closes it, q still quits.
    press(&mut app, "?");
    assert_eq!(app.help, Some(0));
    let top = screen(&app);
    assert!(top.contains("j k scroll · any other key closes"), "{top}");
    press(&mut app, "jj");
    assert_eq!(app.help, Some(2));
    press(&mut app, "G");
    let bottom = screen(&app);
    assert!(
        bottom.contains("crash loop"),
        "the legend ends the help:\n{bottom}"
    );
    let end = app.help;
    press(&mut app, "j");
    assert_eq!(app.help, end);
    press(&mut app, "x");
    assert_eq!(app.help, None, "any other key closes the help");
    press(&mut app, "?");
    assert_eq!(
        update(&mut app, Msg::Key(Key::Char('q'))).effects,
        vec![Effect::Quit]
    );
    // On a big screen it all fits: any key closes it.
    let mut app = demo_app(160, 50);
    press(&mut app, "?");
    let all = screen(&app);
    assert!(all.contains("Keys (any key closes)"), "{all}");
    assert!(
        all.contains("In the log view") && all.contains("crash loop"),
        "{all}"
    );
    press(&mut app, "j");
    assert_eq!(app.help, None);
}

#[test]
fn bang_shows_only_pods_with_problems_and_p_sorts_worst_first() {
    let mut app = demo_cluster_app(120, 40);
    press(&mut app, "!");
    let names: Vec<String> = app
        .table
        .visible(40)
        .map(|(_, p)| p.pod.name.clone())
        .collect();
    // crashy's main crash-loops; myapp-pod's first init container waits for a Service.
    assert_eq!(names, ["crashy", "myapp-pod"]);
    assert!(screen(&app).contains("! with problems"), "{}", screen(&app));
    press(&mut app, "!");
    assert_eq!(app.table.len(), 13);
    press(&mut app, "P");
    let first: Vec<String> = app
        .table
        .visible(2)
        .map(|(_, p)| p.pod.name.clone())
        .collect();
    // An error (the crash loop) before a warning (the waiting init container).
    assert_eq!(first, ["crashy", "myapp-pod"]);
}

#[test]
fn the_pod_view_puts_the_problem_first_with_what_to_run() {
    let mut app = demo_cluster_app(120, 40);
    press(&mut app, "/crashy\n\n");
    let shown = screen(&app);
    let problems = shown.find("Problems").expect("a Problems section");
    let containers = shown.find("Main").unwrap_or(shown.len());
    assert!(problems < containers, "{shown}");
    assert!(
        shown.contains("✗ app is crash-looping: its last run exited 1 (Error)"),
        "{shown}"
    );
    assert!(
        shown.contains("→ kubectl logs crashy -c app -n default --previous  (p here)"),
        "{shown}"
    );
}

#[test]
fn an_open_pod_is_watched_and_its_findings_use_events_and_log_tails() {
    use podscope::model::event::{EventType, PodEvent};
    use podscope::state::pod_details::PodNews;

    let mut app = demo_cluster_app(120, 40);
    let effects = press(&mut app, "/crashy\n\n");
    assert!(
        effects.contains(&Effect::WatchPod {
            namespace: "default".into(),
            name: "crashy".into()
        }),
        "{effects:?}"
    );
    // The crash loop points at the previous instance's log: its tail is asked for once.
    let tails: Vec<&Effect> = effects
        .iter()
        .filter(|e| matches!(e, Effect::LogTail { .. }))
        .collect();
    assert_eq!(
        tails,
        [&Effect::LogTail {
            container: "app".into(),
            previous: true
        }]
    );
    let news = |news| Msg::PodNews {
        namespace: "default".into(),
        name: "crashy".into(),
        news,
    };
    update(
        &mut app,
        news(PodNews::LogTail {
            container: "app".into(),
            previous: true,
            lines: vec!["fatal: lost connection to database at db:5432".into()],
        }),
    );
    let probe = PodEvent {
        kind: EventType::Warning,
        reason: "Unhealthy".into(),
        message: "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
        count: 4,
        first_seen: None,
        last_seen: Some(app.now),
        container: Some("metrics-exporter".into()),
        source: "kubelet".into(),
        pod_uid: None,
    };
    update(&mut app, news(PodNews::Events(vec![probe])));
    let shown = screen(&app);
    assert!(
        shown.contains(
            "previous instance's last line: fatal: lost connection to database at db:5432"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("! metrics-exporter's readiness probe is failing: HTTP probe failed with statuscode: 503"),
        "{shown}"
    );
    assert!(shown.contains("Events (newest first)"), "{shown}");
    // Another pod's news changes nothing; leaving the pod stops the watch.
    let other = update(
        &mut app,
        Msg::PodNews {
            namespace: "default".into(),
            name: "counter".into(),
            news: PodNews::Events(Vec::new()),
        },
    );
    assert!(!other.redraw);
    let effects = press(&mut app, "\x1b");
    assert!(effects.contains(&Effect::StopWatchingPod), "{effects:?}");
    assert!(app.details.is_none());
}

#[test]
fn usage_from_the_metrics_api_is_shown_against_requests_and_limits() {
    use podscope::model::usage::{ContainerUsage, MetricsStatus, UsageMap};

    let mut app = demo_cluster_app(120, 40);
    press(&mut app, "/counter\n\n");
    let mut usage = UsageMap::new();
    usage.insert(
        ("default".into(), "counter".into(), "count".into()),
        ContainerUsage {
            nanocores: 1_254_721,
            bytes: 3 * 1024 * 1024,
        },
    );
    let out = update(
        &mut app,
        Msg::Usage {
            usage: Arc::new(usage),
            status: MetricsStatus::Available,
        },
    );
    assert!(out.redraw);
    let shown = screen(&app);
    assert!(shown.contains("Usage      cpu 2m · memory 3Mi"), "{shown}");
    let row = shown
        .lines()
        .find(|l| l.contains(" count ") && l.contains("main"))
        .unwrap();
    assert!(row.contains("2m") && row.contains("3Mi"), "{row}");
    // Without a metrics API, the detail says why.
    update(
        &mut app,
        Msg::Usage {
            usage: Arc::new(UsageMap::new()),
            status: MetricsStatus::Unavailable(
                "no metrics API on this cluster (metrics-server is not installed)".into(),
            ),
        },
    );
    assert!(
        screen(&app).contains("Usage      not known: no metrics API on this cluster"),
        "{}",
        screen(&app)
    );
}

#[test]
fn y_shows_the_yaml_with_values_masked_until_x_and_searchable() {
    let mut app = demo_cluster_app(120, 40);
    let effects = press(&mut app, "/counter\ny");
    assert!(
        effects.contains(&Effect::FetchYaml {
            namespace: "default".into(),
            name: "counter".into()
        }),
        "{effects:?}"
    );
    assert!(
        screen(&app).contains("fetching the pod"),
        "{}",
        screen(&app)
    );
    let masked = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - env:\n    - name: TOKEN\n      value: (hidden: x shows values)\n    name: count\n";
    let shown = masked.replace("(hidden: x shows values)", "s3cr3t");
    update(
        &mut app,
        Msg::Yaml {
            namespace: "default".into(),
            name: "counter".into(),
            result: Ok((masked.to_string(), shown)),
        },
    );
    let s = screen(&app);
    assert!(
        s.contains("env values hidden (x shows them)") && !s.contains("s3cr3t"),
        "{s}"
    );
    press(&mut app, "x");
    assert!(screen(&app).contains("value: s3cr3t"), "{}", screen(&app));
    // / finds the line, which becomes the top one; c copies what is shown.
    press(&mut app, "/name: count\n");
    let s = screen(&app);
    let body = s.lines().nth(2).unwrap();
    assert!(body.contains("name: count"), "{s}");
    let effects = press(&mut app, "c");
    assert!(
        matches!(&effects[..], [Effect::Copy(t)] if t.contains("s3cr3t")),
        "{effects:?}"
    );
    press(&mut app, "\x1b");
    assert!(matches!(app.screen, Screen::List));
    // Over manifest files the YAML is the file itself.
    let mut files = demo_app(120, 40);
    let effects = press(&mut files, "y");
    assert!(effects.is_empty());
    assert!(
        screen(&files).contains("is its manifest"),
        "{}",
        screen(&files)
    );
}

#[test]
fn ctrl_d_asks_before_deleting_and_readonly_refuses() {
    use podscope::state::delete::DeleteRequest;

    let mut app = demo_cluster_app(120, 40);
    press(&mut app, "/yellow\n");
    update(&mut app, Msg::Key(Key::Ctrl('d')));
    let shown = screen(&app);
    assert!(shown.contains("Delete this pod?"), "{shown}");
    assert!(
        shown.contains("kubectl delete pod yellow -n default --context podscope-demo"),
        "{shown}"
    );
    // Anything but y keeps it.
    assert!(press(&mut app, "x").is_empty());
    assert!(app.confirm_delete.is_none());
    update(&mut app, Msg::Key(Key::Ctrl('d')));
    let request = DeleteRequest {
        namespace: "default".into(),
        name: "yellow".into(),
    };
    assert_eq!(press(&mut app, "y"), [Effect::DeletePod(request.clone())]);
    update(
        &mut app,
        Msg::Deleted {
            request,
            result: Err("405: the server does not allow this method".into()),
        },
    );
    assert!(
        screen(&app)
            .contains("cannot delete pod yellow: 405: the server does not allow this method"),
        "{}",
        screen(&app)
    );
    let mut readonly = demo_cluster_app(120, 40);
    readonly.readonly = true;
    let effects = update(&mut readonly, Msg::Key(Key::Ctrl('d'))).effects;
    assert!(effects.is_empty() && readonly.confirm_delete.is_none());
    assert!(screen(&readonly).contains("read-only (--readonly): deleting pods is turned off"));
}
