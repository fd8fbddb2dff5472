use super::canvas::{Options, draw};
use super::*;
use crate::model::manifest::parse_manifests;

fn insight(yaml: &str) -> PodInsight {
    parse_manifests(yaml, "test")
        .expect("fixture parses")
        .insights(&[])
        .remove(0)
}

fn seed(name: &str) -> Diagram {
    let path = format!(
        "{}/tests/fixtures/seeds/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    diagram(&insight(
        &std::fs::read_to_string(path).expect("seed exists"),
    ))
}

fn real(name: &str) -> Diagram {
    let path = format!(
        "{}/tests/fixtures/real/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    diagram(&insight(
        &std::fs::read_to_string(path).expect("fixture exists"),
    ))
}

/// `lane flow volume` for every mount, e.g. `count writes varlog`.
fn mounts(d: &Diagram) -> Vec<String> {
    d.edges
        .iter()
        .filter_map(|e| match e {
            Edge::Mount {
                lane, volume, flow, ..
            } => {
                let flow = match flow {
                    Flow::Writes => "writes",
                    Flow::Reads => "reads",
                    Flow::Unknown => "mounts",
                };
                Some(format!(
                    "{} {flow} {}",
                    d.lanes[*lane].name, d.volumes[*volume].name
                ))
            }
            _ => None,
        })
        .collect()
}

fn names(d: &Diagram) -> Vec<&str> {
    d.lanes.iter().map(|l| l.name.as_str()).collect()
}

#[test]
fn counter_the_main_writes_varlog_and_the_agent_reads_it() {
    let d = seed("counter");
    assert_eq!(names(&d), ["count", "count-agent"]);
    assert_eq!(
        mounts(&d),
        [
            "count writes varlog",
            "count-agent reads varlog",
            "count-agent reads config-volume"
        ]
    );
    assert_eq!(d.volumes[0].kind, "emptyDir");
    assert_eq!(d.volumes[1].kind, "configMap");
}

#[test]
fn the_log_shipping_and_producer_consumer_seeds_point_from_writer_to_reader() {
    assert_eq!(
        mounts(&seed("webserver")),
        [
            "nginx writes shared-logs",
            "sidecar-container reads shared-logs"
        ]
    );
    assert_eq!(
        mounts(&seed("multicontainer-pod")),
        ["producer writes webcontent", "consumer reads webcontent"]
    );
}

#[test]
fn nginx_adapter_the_exporter_calls_the_web_server_on_localhost() {
    let d = seed("nginx-adapter");
    let links: Vec<_> = d
        .edges
        .iter()
        .filter_map(|e| match e {
            Edge::Localhost {
                from,
                to,
                port,
                inferred,
                ..
            } => Some((
                d.lanes[*from].name.as_str(),
                d.lanes[*to].name.as_str(),
                *port,
                *inferred,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(links, [("adapter", "webserver", Some(80), false)]);
    // The snippet mounts a volume it never declares: nothing to draw for it.
    assert!(d.volumes.is_empty());
}

#[test]
fn ambassador_example_the_app_reaches_the_ambassador_which_goes_out() {
    let d = seed("ambassador-example");
    let (app, amb) = (
        d.lane("redis-client").unwrap(),
        d.lane("ambassador").unwrap(),
    );
    assert!(d.edges.contains(&Edge::Localhost {
        from: app,
        to: amb,
        port: Some(6380),
        address: "localhost:6380".to_string(),
        inferred: true,
    }));
    let out: Vec<_> = d
        .edges
        .iter()
        .filter_map(|e| match e {
            Edge::Outside { lane, hosts } => Some((*lane, hosts.len())),
            _ => None,
        })
        .collect();
    assert_eq!(out, [(amb, 2)]);
}

#[test]
fn myapp_pod_the_init_containers_run_in_order_before_the_app() {
    let d = seed("myapp-pod");
    assert_eq!(
        names(&d),
        ["init-myservice", "init-mydb", "myapp-container"]
    );
    let steps: Vec<_> = d
        .edges
        .iter()
        .filter_map(|e| match e {
            Edge::Before { from, to } => Some((*from, *to)),
            _ => None,
        })
        .collect();
    assert_eq!(steps, [(0, 1), (1, 2)]);
}

#[test]
fn a_native_sidecar_is_drawn_after_the_init_containers_and_before_the_app() {
    let d = real("doc-k8s-website-adapter-native");
    assert_eq!(names(&d), ["adapter", "main-app"]);
    assert!(d.lanes[0].native_sidecar);
    assert!(d.edges.contains(&Edge::Before { from: 0, to: 1 }));
    assert!(mounts(&d).contains(&"main-app writes shared-logs".to_string()));
}

#[test]
fn the_service_account_token_is_left_out() {
    let d = seed("app-elastic-stack");
    assert_eq!(d.volumes.len(), 1, "{:?}", d.volumes);
    assert_eq!(d.volumes[0].name, "log-volume");
}

fn plain(d: &Diagram, width: usize, ascii: bool) -> String {
    draw(
        d,
        Options {
            width,
            selected: None,
            ascii,
        },
    )
    .plain()
}

#[test]
fn the_wide_picture_has_a_box_per_container_and_the_volume_between_them() {
    let text = plain(&seed("counter"), 78, false);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[1].contains("count") && lines[1].contains("count-agent"),
        "{text}"
    );
    assert!(
        lines[2].contains("main") && lines[2].contains("sidecar"),
        "{text}"
    );
    let row = lines
        .iter()
        .find(|l| l.contains("varlog"))
        .expect("a row names varlog");
    // count's line, an arrow into the box, the box, an arrow out to count-agent's line.
    let (count, agent) = (row.find('├').unwrap(), row.rfind('┤').unwrap());
    let into = row.find("▶│").expect("an arrow into the box");
    let name = row.find("varlog").unwrap();
    assert!(count < into && into < name && name < agent, "{row}");
    assert!(
        row[name..].contains('▶'),
        "an arrow out to the reader: {row}"
    );
    for line in &lines {
        assert!(line.chars().count() <= 78, "{line}");
    }
}

#[test]
fn ascii_mode_draws_with_ascii_only() {
    for name in ["counter", "ambassador-example", "myapp-pod"] {
        let text = plain(&seed(name), 80, true);
        assert!(text.is_ascii(), "{text}");
        assert!(text.contains("->") || text.contains(">|"), "{text}");
    }
}

#[test]
fn a_narrow_screen_gets_the_compact_list() {
    let text = plain(&seed("counter"), 24, false);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("count  main"), "{text}");
    assert!(lines[1].contains("──▶ varlog"), "{text}");
    assert!(text.contains("◀── varlog"), "{text}");
    for line in &lines {
        assert!(line.chars().count() <= 24, "{line}");
    }
}

#[test]
fn the_selected_container_and_only_its_edges_are_hot() {
    let d = seed("myapp-pod");
    let c = draw(
        &d,
        Options {
            width: 80,
            selected: Some(0),
            ascii: false,
        },
    );
    let hot: String = c
        .rows
        .iter()
        .flatten()
        .filter(|cell| cell.hot)
        .map(|cell| cell.ch)
        .collect();
    assert!(hot.contains("init-myservice"), "{hot}");
    assert!(!hot.contains("myapp-container"), "{hot}");
}
