//! The demo's cluster DNS, simulated: the names a pod with `dnsPolicy: ClusterFirst` resolves
//! (`reference/k8s-writes.md` §8.3). The demo writes one zone file of `FQDN ADDRESS` lines,
//! every Service as `NAME.NAMESPACE.svc.cluster.local` with its cluster IP, whenever a
//! Service changes; the stand-in `nslookup` mounted into busybox containers answers from it, expanding short names through the
//! search list of the `/etc/resolv.conf` each pod gets, as the kubelet writes it. No DNS
//! server runs and nothing is sent on the network.

use std::path::Path;

use super::Shared;

pub const DOMAIN: &str = "cluster.local";
/// kube-dns's address in a kubeadm cluster, the pods' nameserver.
pub const NAMESERVER: &str = "10.96.0.10";

/// The `/etc/resolv.conf` the kubelet writes for a ClusterFirst pod in `namespace`.
pub fn resolv_conf(namespace: &str) -> String {
    format!(
        "search {namespace}.svc.{DOMAIN} svc.{DOMAIN} {DOMAIN}\nnameserver {NAMESERVER}\noptions ndots:5\n"
    )
}

/// The zone's lines for the Services stored now.
pub fn zone(shared: &Shared) -> String {
    let mut text = format!("kube-dns.kube-system.svc.{DOMAIN} {NAMESERVER}\n");
    let Ok(services) = shared.services.lock() else {
        return text;
    };
    for s in services.list(None) {
        let ip = s.spec.as_ref().and_then(|spec| spec.cluster_ip.clone());
        let (Some(name), Some(ns), Some(ip)) = (&s.metadata.name, &s.metadata.namespace, ip) else {
            continue;
        };
        if ip != "None" && !ip.is_empty() {
            text.push_str(&format!("{name}.{ns}.svc.{DOMAIN} {ip}\n"));
        }
    }
    text
}

/// The Services as `/etc/hosts` lines for a pod in `namespace`.
fn service_hosts(shared: &Shared, namespace: &str) -> String {
    let mut text = String::new();
    for line in zone(shared).lines() {
        let Some((fqdn, ip)) = line.split_once(' ') else {
            continue;
        };
        let Some(short) = fqdn.strip_suffix(&format!(".svc.{DOMAIN}")) else {
            continue;
        };
        let (name, ns) = short.split_once('.').unwrap_or((short, ""));
        let mut names = vec![
            format!("{name}.{ns}"),
            format!("{name}.{ns}.svc"),
            fqdn.to_string(),
        ];
        if ns == namespace {
            names.insert(0, name.to_string());
        }
        text.push_str(&format!("{ip}\t{}\n", names.join(" ")));
    }
    text
}

/// The `/etc/hosts` of a pod: the kubelet's lines, then the cluster's Services.
pub fn hosts(shared: &Shared, namespace: &str, pod: &str, ip: &str) -> String {
    format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{pod}\n# The cluster's Services (the podscope demo's simulated DNS)\n{}",
        service_hosts(shared, namespace)
    )
}

/// Write the zone file and every pod's hosts file in place (the same inodes stay
/// bind-mounted in the containers).
pub fn publish(shared: &Shared) {
    write_in_place(&shared.runtime.dns_zone(), &zone(shared));
    for ((ns, pod), network) in shared.runtime.networks_now() {
        let path = shared.runtime.pod_file(&ns, &pod, "hosts");
        if path.exists() {
            write_in_place(&path, &hosts(shared, &ns, &pod, &network.ip.to_string()));
        }
    }
}

fn write_in_place(path: &Path, text: &str) {
    use std::io::Write;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path);
    if let Ok(mut file) = file {
        let _ = file.write_all(text.as_bytes());
    }
}
