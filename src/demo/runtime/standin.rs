//! Simulated stand-ins for images that cannot run here (nginx, redis, fluentd, exporters,
//! proxies...). Each is a POSIX shell loop, run in the container's own root like a real
//! command, that prints the kind of lines the image prints, so `kubectl logs` and the TUI have
//! something plausible to show. A log shipper really follows the `*.log` files in the volumes
//! it mounts, and nginx writes its access log into a volume mounted at `/var/log/nginx`, so the
//! seeds' shared-volume patterns can be seen working. Nothing here is the real software.

use super::plan::MountPlan;
use crate::model::role::knowledge::ImageKind;

/// busybox 1.28's `nslookup`, answering from the demo's simulated cluster DNS
/// ([`crate::demo::dns`]): the zone file of Services mounted at [`DNS_ZONE`], and the search
/// list in the pod's `/etc/resolv.conf` for short names (fewer than five dots, `ndots:5`).
pub const NSLOOKUP: &str = r#"#!/bin/sh
# podscope demo: simulated stand-in for busybox nslookup, answering from the demo's Services
name=""
for a in "$@"; do case "$a" in -*) ;; *) [ -z "$name" ] && name="$a";; esac; done
echo "Server:    10.96.0.10"
echo "Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local"
echo
answer() {
  [ -r /etc/podscope-cluster-dns ] || return 0
  while read -r fqdn ip; do
    if [ "$fqdn" = "$1" ]; then
      echo "Name:      $name"
      echo "Address 1: $ip $fqdn"
      exit 0
    fi
  done < /etc/podscope-cluster-dns
}
case "$name" in
  *.) answer "${name%.}" ;;
  *)
    dots=$(printf %s "$name" | tr -cd . | wc -c)
    if [ "$dots" -lt 5 ]; then
      for domain in $(sed -n 's/^search //p' /etc/resolv.conf 2>/dev/null); do
        answer "$name.$domain"
      done
    fi
    answer "$name"
    ;;
esac
echo "nslookup: can't resolve '$name'" >&2
exit 1
"#;

/// Where the zone file is mounted in a container.
pub const DNS_ZONE: &str = "/etc/podscope-cluster-dns";

/// The script standing in for `product` (an image's product name) of `kind`.
pub fn script(
    product: &str,
    kind: Option<ImageKind>,
    mounts: &[MountPlan],
    port: Option<i32>,
) -> String {
    let body = match kind {
        Some(ImageKind::WebServer) => web_server(product, mounts, port.unwrap_or(80)),
        Some(ImageKind::Datastore) => datastore(product, port),
        Some(ImageKind::LogShipper) => log_shipper(product, mounts),
        Some(ImageKind::MetricsExporter) => exporter(product, port),
        Some(ImageKind::OutboundProxy | ImageKind::InboundProxy | ImageKind::MeshProxy) => {
            proxy(product, port)
        }
        _ if product == "event-simulator" => event_simulator(mounts),
        _ => generic(product, port),
    };
    format!("# podscope demo: simulated stand-in for {product}\n{body}")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn web_server(product: &str, mounts: &[MountPlan], port: i32) -> String {
    // With a volume over /var/log/nginx the image's stdout symlinks are hidden: nginx writes
    // real files there, which is what the seeds' log-reading sidecars rely on.
    let log_dir = mounts
        .iter()
        .find(|m| m.mount_path.trim_end_matches('/') == format!("/var/log/{product}"))
        .map(|m| m.mount_path.trim_end_matches('/').to_string());
    let (access, error) = match &log_dir {
        Some(dir) => (
            format!(">> {}", quote(&format!("{dir}/access.log"))),
            format!(">> {}", quote(&format!("{dir}/error.log"))),
        ),
        None => (String::new(), ">&2".to_string()),
    };
    format!(
        r#"echo "/docker-entrypoint.sh: Configuration complete; ready for start up"
echo "$(date -u '+%Y/%m/%d %H:%M:%S') [notice] 1#1: {product} started, listening on port {port}" {error}
echo "$(date -u '+%Y/%m/%d %H:%M:%S') [notice] 1#1: start worker processes" {error}
i=0
while :; do
  i=$((i+1))
  path=/; [ $((i % 4)) -eq 0 ] && path=/healthz
  echo "127.0.0.1 - - [$(date -u '+%d/%b/%Y:%H:%M:%S +0000')] \"GET $path HTTP/1.1\" 200 615 \"-\" \"kube-probe/1.32\"" {access}
  sleep 5
done
"#
    )
}

fn datastore(product: &str, port: Option<i32>) -> String {
    if product == "redis" {
        let port = port.unwrap_or(6379);
        return format!(
            r#"t() {{ date -u '+%d %b %Y %H:%M:%S.000'; }}
echo "1:C $(t) * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"
echo "1:C $(t) * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started"
echo "1:M $(t) * Running mode=standalone, port={port}."
echo "1:M $(t) * Server initialized"
echo "1:M $(t) * Ready to accept connections tcp"
while :; do
  sleep 300
  echo "1:M $(t) * 10 changes in 300 seconds. Saving..."
  echo "1:M $(t) * DB saved on disk"
done
"#
        );
    }
    format!(
        r#"echo "$(date -u '+%Y-%m-%d %H:%M:%S.000 UTC') [1] LOG:  {product} starting{}"
echo "$(date -u '+%Y-%m-%d %H:%M:%S.000 UTC') [1] LOG:  database system is ready to accept connections"
while :; do
  sleep 300
  echo "$(date -u '+%Y-%m-%d %H:%M:%S.000 UTC') [20] LOG:  checkpoint complete"
done
"#,
        port.map(|p| format!(", listening on port {p}"))
            .unwrap_or_default()
    )
}

fn log_shipper(product: &str, mounts: &[MountPlan]) -> String {
    let dirs: Vec<String> = mounts
        .iter()
        .filter(|m| !m.read_only)
        .map(|m| quote(m.mount_path.trim_end_matches('/')))
        .collect();
    let globs: Vec<String> = dirs
        .iter()
        .flat_map(|d| [format!("{d}/*.log"), format!("{d}/*/*.log")])
        .collect();
    format!(
        r#"echo "$(date -u '+%Y-%m-%d %H:%M:%S +0000') [info]: starting {product}, watching: {}"
known=" "
while :; do
  for g in {}; do
    [ -f "$g" ] || continue
    case "$known" in *" $g "*) continue;; esac
    known="$known$g "
    echo "$(date -u '+%Y-%m-%d %H:%M:%S +0000') [info]: following tail of $g"
    tag=${{g##*/}}; tag=${{tag%.log}}
    tail -n 0 -F "$g" 2>/dev/null | while IFS= read -r l; do
      echo "$(date -u '+%Y-%m-%d %H:%M:%S.%N +0000') tail.$tag: {{\"message\":\"$l\"}}"
    done &
  done
  sleep 1
done
"#,
        if dirs.is_empty() {
            "nothing mounted".to_string()
        } else {
            dirs.join(" ")
        },
        if globs.is_empty() {
            "/nonexistent/*.log".to_string()
        } else {
            globs.join(" ")
        },
    )
}

fn exporter(product: &str, port: Option<i32>) -> String {
    let port = port.unwrap_or(9100);
    format!(
        r#"t() {{ date -u '+%Y-%m-%dT%H:%M:%S.000Z'; }}
echo "ts=$(t) level=info msg=\"Starting {product}\" version=0.15.0"
echo "ts=$(t) level=info msg=\"Listening on address\" address=[::]:{port}"
i=0
while :; do
  sleep 15
  i=$((i+1))
  echo "ts=$(t) level=info msg=\"scrape completed\" scrapes=$i duration_seconds=0.00$((i % 7 + 2))"
done
"#
    )
}

fn proxy(product: &str, port: Option<i32>) -> String {
    let listen = port.map_or_else(
        || "127.0.0.1:15001".to_string(),
        |p| format!("127.0.0.1:{p}"),
    );
    format!(
        r#"t() {{ date -u '+%Y-%m-%dT%H:%M:%S.000Z'; }}
echo "$(t) info {product} starting, pid 1"
echo "$(t) info listening on {listen}"
echo "$(t) info ready for new connections"
i=0
while :; do
  sleep 10
  i=$((i+1))
  echo "$(t) info stats: connections_active=$((i % 3 + 1)) requests_total=$((i * 7))"
done
"#
    )
}

fn event_simulator(mounts: &[MountPlan]) -> String {
    // kodekloud/event-simulator writes the same events to stdout and to /log/app.log.
    let file = mounts
        .iter()
        .find(|m| m.mount_path.trim_end_matches('/') == "/log")
        .map(|_| "/log/app.log");
    let tee = file.map_or(String::new(), |f| format!(" | tee -a {f}"));
    format!(
        r#"i=0
while :; do
  i=$((i+1))
  case $((i % 6)) in
    0) e="USER1 logged out";; 1) e="USER2 is viewing page2";; 2) e="USER3 logged in";;
    3) e="USER4 Order failed as the item is OUT OF STOCK.";; 4) e="USER1 is viewing page3";; *) e="USER2 logged out";;
  esac
  lvl=INFO; [ $((i % 6)) -eq 3 ] && lvl=WARNING
  echo "[$(date -u '+%Y-%m-%d %H:%M:%S'),000] $lvl in event-simulator: $e"{tee}
  sleep 3
done
"#
    )
}

fn generic(product: &str, port: Option<i32>) -> String {
    let listening = port.map_or_else(String::new, |p| format!(" on :{p}"));
    format!(
        r#"echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') INFO {product}: started{listening}"
i=0
while :; do
  sleep 10
  i=$((i+1))
  echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') INFO {product}: heartbeat $i, all good"
done
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_writes_into_a_volume_over_its_log_dir_else_stdout() {
        let mount = MountPlan {
            volume: "shared-logs".into(),
            sub_path: None,
            mount_path: "/var/log/nginx".into(),
            read_only: false,
        };
        let with = script("nginx", Some(ImageKind::WebServer), &[mount], None);
        assert!(with.contains(">> '/var/log/nginx/access.log'"));
        let without = script("nginx", Some(ImageKind::WebServer), &[], Some(8080));
        assert!(!without.contains("access.log") && without.contains("port 8080"));
    }

    #[test]
    fn shippers_follow_logs_in_writable_mounts_only() {
        let mounts = [
            MountPlan {
                volume: "varlog".into(),
                sub_path: None,
                mount_path: "/var/log".into(),
                read_only: false,
            },
            MountPlan {
                volume: "config".into(),
                sub_path: None,
                mount_path: "/etc/fluentd-config".into(),
                read_only: true,
            },
        ];
        let s = script("fluentd", Some(ImageKind::LogShipper), &mounts, None);
        assert!(s.contains("for g in '/var/log'/*.log '/var/log'/*/*.log; do"));
        assert!(!s.contains("fluentd-config'/"));
    }

    #[test]
    fn quoting_survives_single_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
