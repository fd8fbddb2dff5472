//! Role inference when nothing about the software is known (images from a private registry,
//! pinned by digest; names that are not in the knowledge table): the signals that stand on
//! the pod's own structure. Each pod is made up for the rule it checks; the rules are measured
//! on real pods by `real_world`.

use podscope::model::manifest::parse_manifests;
use podscope::model::{ContainerRole, PodInsight};

fn insight(containers: &str) -> PodInsight {
    let yaml = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: default}}\nspec:\n  containers:\n{containers}"
    );
    let set = parse_manifests(&yaml, "test.yaml").expect("the pod parses");
    set.insights(&[]).remove(0)
}

fn role(i: &PodInsight, name: &str) -> (ContainerRole, String) {
    let r = i.role_of(name).expect("the container exists");
    (r.role, r.evidence.join("; "))
}

const IMAGE: &str = "registry.example.com/team/svc@sha256:0d3f";

#[test]
fn a_container_named_after_another_is_its_helper() {
    let i = insight(&format!(
        "  - {{name: orders, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n  - {{name: orders-metrics, image: {IMAGE}2, ports: [{{containerPort: 9100}}]}}\n"
    ));
    let (helper, why) = role(&i, "orders-metrics");
    assert_eq!(helper, ContainerRole::Adapter, "{why}");
    assert!(why.contains("named after orders"), "{why}");
    assert_eq!(role(&i, "orders").0, ContainerRole::Main);
    // Side by side is not after: two listeners named alike are co-equal.
    let i = insight(&format!(
        "  - {{name: lb-tcp-80, image: {IMAGE}, ports: [{{containerPort: 80}}]}}\n  - {{name: lb-tcp-443, image: {IMAGE}, ports: [{{containerPort: 443}}]}}\n"
    ));
    assert_eq!(role(&i, "lb-tcp-443").0, ContainerRole::Main);
}

#[test]
fn a_container_asking_for_a_sliver_of_memory_is_sized_as_a_helper() {
    let resources = |mem: &str| format!("resources: {{requests: {{memory: {mem}}}}}");
    let i = insight(&format!(
        "  - {{name: billing, image: {IMAGE}, {}}}\n  - {{name: tracer, image: {IMAGE}9, {}}}\n",
        resources("1Gi"),
        resources("64Mi")
    ));
    let (tracer, why) = role(&i, "tracer");
    assert_eq!(tracer, ContainerRole::Sidecar, "{why}");
    assert!(
        why.contains("asks for 64Mi of memory, under half of billing's 1Gi"),
        "{why}"
    );
    // Alike, neither is.
    let i = insight(&format!(
        "  - {{name: billing, image: {IMAGE}, {}}}\n  - {{name: tracer, image: {IMAGE}9, {}}}\n",
        resources("1Gi"),
        resources("768Mi")
    ));
    assert_eq!(role(&i, "tracer").0, ContainerRole::Main);
}

#[test]
fn a_proxy_on_a_cache_port_that_nothing_here_serves_is_an_ambassador() {
    let i = insight(&format!(
        "  - {{name: shop, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n  - {{name: cache-proxy, image: {IMAGE}3, ports: [{{containerPort: 11211}}]}}\n"
    ));
    let (proxy, why) = role(&i, "cache-proxy");
    assert_eq!(proxy, ContainerRole::Ambassador, "{why}");
    assert!(why.contains("memcached's port 11211"), "{why}");
    // Beside the cache itself it is not carrying anything elsewhere.
    let i = insight(&format!(
        "  - {{name: cache, image: {IMAGE}, ports: [{{containerPort: 11211}}]}}\n  - {{name: cache-proxy, image: {IMAGE}3, ports: [{{containerPort: 11211}}]}}\n"
    ));
    assert_ne!(role(&i, "cache-proxy").0, ContainerRole::Ambassador);
}

#[test]
fn a_localhost_upstream_makes_a_front_proxy_whatever_its_name() {
    let i = insight(&format!(
        "  - {{name: gatekeeper, image: {IMAGE}, ports: [{{containerPort: 8443}}], args: ['--upstream=http://127.0.0.1:8080/']}}\n  - {{name: catalog, image: {IMAGE}4, ports: [{{containerPort: 8080}}]}}\n"
    ));
    let (front, why) = role(&i, "gatekeeper");
    assert_eq!(front, ContainerRole::Sidecar, "{why}");
    assert!(why.contains("fronts catalog"), "{why}");
    assert_eq!(role(&i, "catalog").0, ContainerRole::Main);
}

#[test]
fn a_proxy_that_declares_no_port_carries_calls_out() {
    let i = insight(&format!(
        "  - {{name: worker, image: {IMAGE}, command: [/bin/worker]}}\n  - {{name: egress-proxy, image: {IMAGE}5}}\n"
    ));
    let (proxy, why) = role(&i, "egress-proxy");
    assert_eq!(proxy, ContainerRole::Ambassador, "{why}");
    assert_eq!(role(&i, "worker").0, ContainerRole::Main);
}

#[test]
fn a_web_server_beside_an_app_that_serves_stands_in_front_of_it() {
    let i = insight(&format!(
        "  - {{name: shop, image: {IMAGE}, ports: [{{containerPort: 9000}}]}}\n  - {{name: nginx, image: nginx:1.27, ports: [{{containerPort: 80}}]}}\n"
    ));
    let (web, why) = role(&i, "nginx");
    assert_eq!(web, ContainerRole::Sidecar, "{why}");
    assert_eq!(role(&i, "shop").0, ContainerRole::Main);
    // Beside a content writer that serves nothing, the web server is the app.
    let i = insight(&format!(
        "  - {{name: web, image: nginx:1.27, ports: [{{containerPort: 80}}]}}\n  - {{name: writer, image: {IMAGE}, command: [sh, -c, 'while true; do date > /html/index.html; sleep 5; done']}}\n"
    ));
    assert_eq!(role(&i, "web").0, ContainerRole::Main);
}

#[test]
fn a_proxy_the_app_calls_at_localhost_is_its_ambassador() {
    let i = insight(&format!(
        "  - {{name: shop, image: {IMAGE}, ports: [{{containerPort: 8080}}], env: [{{name: METRICS_URL, value: 'http://127.0.0.1:9090/api'}}]}}\n  - {{name: query-proxy, image: {IMAGE}7, ports: [{{containerPort: 9090}}]}}\n"
    ));
    let (proxy, why) = role(&i, "query-proxy");
    assert_eq!(proxy, ContainerRole::Ambassador, "{why}");
}

#[test]
fn saying_something_once_then_sleeping_is_idle_but_a_loop_that_prints_is_a_workload() {
    let i = insight(&format!(
        "  - {{name: server, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n  - {{name: prepull, image: {IMAGE}8, command: [sh, -c, 'echo image pulled && sleep infinity']}}\n"
    ));
    assert_eq!(role(&i, "prepull").0, ContainerRole::Sidecar);
    let i = insight(&format!(
        "  - {{name: server, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n  - {{name: greeter, image: {IMAGE}8, command: [sh, -c, 'while true; do echo hello; sleep 5; done']}}\n"
    ));
    assert_eq!(role(&i, "greeter").0, ContainerRole::Main);
}

#[test]
fn instances_of_the_same_software_with_no_app_are_all_the_workload() {
    let i = insight(
        "  - {name: tunnel-a, image: 'cloudflare/cloudflared:2024.1', args: [access, tcp]}\n  - {name: tunnel-b, image: 'cloudflare/cloudflared:2024.1', args: [access, tcp, null]}\n",
    );
    assert_eq!(role(&i, "tunnel-a").0, ContainerRole::Main);
    assert_eq!(role(&i, "tunnel-b").0, ContainerRole::Main);
}

#[test]
fn a_name_that_says_what_runs_speaks_when_the_image_does_not() {
    // fluentd-agent runs fluentd, whatever the private mirror calls the image.
    let i = insight(&format!(
        "  - {{name: shop, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n  - {{name: fluentd-agent, image: {IMAGE}6}}\n"
    ));
    let (agent, why) = role(&i, "fluentd-agent");
    assert_eq!(agent, ContainerRole::Sidecar, "{why}");
    assert!(why.contains("says it runs fluentd"), "{why}");
    // A helper word run together at the end still counts (`s3sidecar`, `sigv4proxy`).
    let i = insight(&format!(
        "  - {{name: s3sidecar, image: {IMAGE}6}}\n  - {{name: shop, image: {IMAGE}, ports: [{{containerPort: 8080}}]}}\n"
    ));
    assert_eq!(role(&i, "s3sidecar").0, ContainerRole::Sidecar);
}

#[test]
fn a_proxy_beside_only_its_own_helpers_is_the_workload() {
    // A database load balancer with a monitoring agent: no app to carry calls for.
    let i = insight(
        "  - {name: pmm-client, image: percona/pmm-client:2}\n  - {name: balancer, image: haproxy:2.8, ports: [{containerPort: 3306}]}\n",
    );
    assert_eq!(role(&i, "balancer").0, ContainerRole::Main);
    // An inbound proxy only ever fronts something: the other container is the app.
    let i = insight(&format!(
        "  - {{name: kube-rbac-proxy, image: quay.io/brancz/kube-rbac-proxy:v0.18.0, ports: [{{containerPort: 9500}}]}}\n  - {{name: proxy, image: {IMAGE}, ports: [{{containerPort: 443}}]}}\n"
    ));
    assert_eq!(role(&i, "proxy").0, ContainerRole::Main);
    assert_eq!(role(&i, "kube-rbac-proxy").0, ContainerRole::Sidecar);
}
