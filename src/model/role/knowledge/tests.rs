use super::*;
use crate::model::pod::Section;

fn container(name: &str, image: &str, command: &[&str]) -> Container {
    Container {
        name: name.into(),
        section: Section::Regular,
        native_sidecar: false,
        image: Some(image.into()),
        command: command.iter().map(|s| s.to_string()).collect(),
        args: Vec::new(),
        working_dir: None,
        ports: Vec::new(),
        mounts: Vec::new(),
        env: Vec::new(),
        env_from: Vec::new(),
        probes: Vec::new(),
        resources: Default::default(),
        security: Default::default(),
        lifecycle: Vec::new(),
        target_container: None,
        status: None,
    }
}

#[test]
fn image_paths() {
    assert_eq!(image_path("k8s.gcr.io/fluentd-gcp:1.30"), "fluentd-gcp");
    assert_eq!(image_path("nginx"), "nginx");
    assert_eq!(image_path("docker.io/library/nginx:1.27"), "nginx");
    assert_eq!(image_path("localhost:5000/team/app:v1"), "team/app");
    assert_eq!(image_path("redis@sha256:abc"), "redis");
    assert_eq!(
        image_path("nginx/nginx-prometheus-exporter:0.4.2"),
        "nginx/nginx-prometheus-exporter"
    );
}

#[test]
fn specific_patterns_win() {
    let k = known_image("nginx/nginx-prometheus-exporter:0.4.2").unwrap();
    assert_eq!(k.kind, ImageKind::MetricsExporter);
    assert_eq!(
        known_image("nginx:1.27").unwrap().kind,
        ImageKind::WebServer
    );
    assert_eq!(
        known_image("oliver006/redis_exporter").unwrap().kind,
        ImageKind::MetricsExporter
    );
    assert_eq!(known_image("redis:7").unwrap().kind, ImageKind::Datastore);
    assert!(known_image("simple-webapp").is_none());
}

#[test]
fn any_registry_or_organisation_matches_the_repository_name() {
    for image in [
        "docker.io/istio/proxyv2:1.22.0",
        "gcr.io/istio-release/proxyv2:1.20.1",
        "my-mirror.example.com:5000/mirrors/istio/proxyv2@sha256:0123",
        "registry.redhat.io/openshift-service-mesh/proxyv2-rhel8:2.4",
    ] {
        assert_eq!(
            known_image(image).unwrap().kind,
            ImageKind::MeshProxy,
            "{image}"
        );
    }
    // A pattern with `/` needs as many trailing segments: `proxy` alone says nothing.
    assert_eq!(
        known_image("cr.l5d.io/linkerd/proxy:stable-2.14")
            .unwrap()
            .product,
        "linkerd-proxy"
    );
    assert!(known_image("example.com/team/proxy:1").is_none());
    assert_eq!(
        known_image("registry.k8s.io/sig-storage/csi-provisioner:v3.6.0")
            .unwrap()
            .kind,
        ImageKind::StorageHelper
    );
}

#[test]
fn names_and_programs_recognise_digest_pinned_images() {
    // One repository for a whole distribution: only the name and the program tell.
    let image = "quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:4f3c";
    let c = container("kube-rbac-proxy", image, &[]);
    let (s, how, _) = recognise(&c).unwrap();
    assert_eq!((s.product, how), ("kube-rbac-proxy", Recognised::Name));
    let c = container("csi-driver", image, &["/usr/bin/csi-provisioner"]);
    let (s, how, text) = recognise(&c).unwrap();
    assert_eq!(
        (s.product, how, text.as_str()),
        ("csi-provisioner", Recognised::Program, "csi-provisioner")
    );
    let c = container(
        "sc",
        image,
        &[
            "/bin/sh",
            "-c",
            "set -e; exec /usr/bin/oauth-proxy --https-address=:9091",
        ],
    );
    assert_eq!(recognise(&c).unwrap().0.product, "oauth-proxy");
}

#[test]
fn a_program_with_its_subcommand() {
    let mut c = container("thanos", "quay.io/thanos/thanos:v0.34.0", &[]);
    // The image is Thanos, which is a workload of its own; the subcommand is what says sidecar,
    // given to the image's entrypoint or to the program named in the command.
    c.args = vec!["query".into()];
    assert_eq!(recognise(&c).unwrap().0.product, "thanos");
    c.args = vec![
        "sidecar".into(),
        "--prometheus.url=http://localhost:9090".into(),
    ];
    assert_eq!(recognise(&c).unwrap().0.product, "thanos sidecar");
    c.command = vec!["/bin/thanos".into()];
    assert_eq!(recognise(&c).unwrap().0.product, "thanos sidecar");
}

#[test]
fn name_words() {
    let hints: Vec<_> = name_hints("busybox-sidecar").map(|h| h.word).collect();
    assert_eq!(hints, ["sidecar"]);
    assert_eq!(name_hints("consumer").count(), 0);
    assert_eq!(name_hints("kube-rbac-proxy").next().unwrap().word, "proxy");
}
