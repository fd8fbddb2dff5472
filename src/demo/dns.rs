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

/// Write the zone file in place (the same inode stays bind-mounted in every container).
pub fn publish(shared: &Shared) {
    write_in_place(&shared.runtime.dns_zone(), &zone(shared));
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
