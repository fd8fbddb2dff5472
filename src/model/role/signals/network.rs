//! What a container's args and literal env values say about the network: which `localhost`
//! ports it connects to, which ports it listens on, which outside hosts it names.

use crate::model::pod::{Container, EnvValue};

use super::unquote;

/// A `localhost:PORT` (or `127.0.0.1`, `[::1]`, `http://localhost/`) a container connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalhostRef {
    pub port: i32,
    /// The address as written, for the evidence (never a whole env value).
    pub text: String,
    /// Given as where the container forwards what it receives (`--upstream=`, `--backend=`):
    /// a proxy's upstream, whatever the container is called.
    pub upstream: bool,
}

/// Flags that name where a proxy forwards what it receives.
fn is_upstream_flag(flag: &str) -> bool {
    [
        "upstream",
        "backend",
        "proxy-pass",
        "proxy_pass",
        "forward-to",
    ]
    .iter()
    .any(|w| flag.contains(w))
}

/// Words from args and literal env values, with the flag each value belongs to.
fn words(c: &Container) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut flag: Option<String> = None;
    let args = c.argv().flat_map(str::split_whitespace);
    for word in args {
        let word = unquote(word);
        if let Some(stripped) = word.strip_prefix('-').filter(|_| !word.starts_with("-/")) {
            let stripped = stripped.trim_start_matches('-');
            match stripped.split_once('=') {
                Some((name, value)) => {
                    out.push((Some(name.to_ascii_lowercase()), value.to_string()));
                    flag = None;
                }
                None => flag = Some(stripped.to_ascii_lowercase()),
            }
        } else {
            out.push((flag.take(), word.to_string()));
        }
    }
    for var in &c.env {
        if let EnvValue::Literal(value) = &var.value {
            for word in value.split(|ch: char| ch.is_whitespace() || ch == ',' || ch == ';') {
                if !word.is_empty() {
                    out.push((
                        Some(var.name.to_ascii_lowercase()),
                        unquote(word).to_string(),
                    ));
                }
            }
        }
    }
    out
}

/// Flags that say where a container itself listens: `--web.listen-address`, `--bind`,
/// `--metrics-addr`, `--http-address`. `--mysqld.address` names a peer, not a listener.
fn is_listen_flag(flag: &str) -> bool {
    const OWN: &[&str] = &[
        "metrics",
        "http",
        "https",
        "web",
        "health",
        "probe",
        "secure",
        "grpc",
        "admin",
        "telemetry",
        "pprof",
        "debug",
        "server",
        "status",
    ];
    if flag.contains("listen") || flag.contains("bind") {
        return true;
    }
    let first = flag.split(['-', '.', '_']).next().unwrap_or(flag);
    (flag.ends_with("address") || flag.ends_with("addr"))
        && (flag == "address" || flag == "addr" || OWN.contains(&first))
}

fn is_port_flag(flag: &str) -> bool {
    flag == "port" || flag.ends_with("-port") || flag.ends_with(".port") || flag.ends_with("_port")
}

const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// The `localhost` ports a container connects to (not the ones it listens on).
pub fn localhost_refs(c: &Container) -> Vec<LocalhostRef> {
    let mut out: Vec<LocalhostRef> = Vec::new();
    for (flag, word) in words(c) {
        if flag.as_deref().is_some_and(is_listen_flag) {
            continue;
        }
        for candidate in loopback_candidates(&word) {
            let Some(addr) = parse_address(&candidate) else {
                continue;
            };
            if !LOOPBACK.contains(&addr.host.as_str()) {
                continue;
            }
            let Some(port) = addr.port else { continue };
            if !out.iter().any(|r| r.port == port) {
                out.push(LocalhostRef {
                    port,
                    text: addr.shown,
                    upstream: flag.as_deref().is_some_and(is_upstream_flag),
                });
            }
        }
    }
    out
}

/// The loopback addresses inside one word, each from its scheme if it has one: the word
/// itself, and those embedded in a longer value (`name:http://localhost:8080`,
/// `TCP:localhost:80`, dnsmasq's `/cluster.local/127.0.0.1#10053`).
fn loopback_candidates(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    for host in LOOPBACK {
        for (at, _) in word.match_indices(host) {
            let before = &word[..at];
            let start = match before.strip_suffix("://") {
                // Just after the last character that cannot be in a scheme (which may take
                // more than one byte: `http🦀://`).
                Some(scheme_end) => scheme_end
                    .char_indices()
                    .rfind(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '+'))
                    .map_or(0, |(i, c)| i + c.len_utf8()),
                None => at,
            };
            let rest = &word[start..];
            // dnsmasq writes the port after `#`.
            let port_hash = format!("{host}#");
            match rest.strip_prefix(port_hash.as_str()) {
                Some(port) => out.push(format!("{host}:{port}")),
                None if start > 0 => out.push(rest.to_string()),
                None => {}
            }
        }
    }
    out
}

/// Ports a container listens on: declared `containerPort`s, then ports in listen/bind flags.
pub fn listen_ports(c: &Container) -> Vec<i32> {
    let mut ports: Vec<i32> = c.ports.iter().map(|p| p.container_port).collect();
    for (flag, word) in words(c) {
        let Some(flag) = flag else { continue };
        let port = if is_listen_flag(&flag) {
            word.rsplit_once(':')
                .and_then(|(_, p)| p.trim_end_matches('/').parse().ok())
        } else if is_port_flag(&flag) {
            word.parse().ok()
        } else {
            None
        };
        if let Some(p) = port.filter(|p| (1..=65535).contains(p) && !ports.contains(p)) {
            ports.push(p);
        }
    }
    ports
}

/// Hosts outside the pod that a container names in its args or literal env values.
pub fn outside_hosts(c: &Container) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for (_, word) in words(c) {
        let Some(addr) = parse_address(&word) else {
            continue;
        };
        let host = addr.host;
        let named_service = [".svc", ".svc.cluster.local", ".local", ".internal"]
            .iter()
            .any(|s| host.ends_with(s));
        if LOOPBACK.contains(&host.as_str()) || host == "0.0.0.0" || !host.contains('.') {
            continue;
        }
        if !(addr.had_scheme || addr.port.is_some() || named_service) || looks_like_file(&host) {
            continue;
        }
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
}

fn looks_like_file(host: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "conf", "log", "yaml", "yml", "json", "html", "txt", "sh", "py", "js", "ini", "xml", "pem",
        "crt", "key", "sock", "so", "jar", "toml", "cfg", "d", "tmpl", "lua",
    ];
    host.rsplit('.')
        .next()
        .is_some_and(|ext| EXTENSIONS.contains(&ext))
}

struct Address {
    host: String,
    port: Option<i32>,
    had_scheme: bool,
    /// Scheme, host and port as written, with any user:password removed.
    shown: String,
}

/// socat's address types before `host:port` (`tcp-connect:db.example.com:5432`).
const SOCAT_TYPES: &[&str] = &[
    "tcp-connect:",
    "tcp4-connect:",
    "tcp6-connect:",
    "openssl-connect:",
    "openssl:",
    "tcp:",
    "tcp4:",
    "tcp6:",
    "udp:",
    "udp4:",
    "udp-connect:",
];

fn parse_address(word: &str) -> Option<Address> {
    let lower = word.to_ascii_lowercase();
    let word = SOCAT_TYPES
        .iter()
        .find(|t| lower.starts_with(*t))
        .map_or(word, |t| &word[t.len()..]);
    let (scheme, rest) = match word.split_once("://") {
        Some((s, r))
            if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+') =>
        {
            (Some(s), r)
        }
        _ => (None, word),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    // The path is kept for the evidence when there is a scheme; a query may hold a token.
    let url_path = rest[authority.len()..]
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    // Drop credentials: they must never reach the screen.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port_text) = if let Some(end) = authority.strip_prefix('[').and_then(|a| a.find(']'))
    {
        let host = &authority[..end + 2];
        (host, authority[end + 2..].strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.[]:".contains(c))
    {
        return None;
    }
    let explicit: Option<i32> = port_text.and_then(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    });
    if port_text.is_some() && explicit.is_none() {
        return None;
    }
    let port = explicit.or(match scheme {
        Some("http") | Some("ws") => Some(80),
        Some("https") | Some("wss") => Some(443),
        _ => None,
    });
    let host = host.to_ascii_lowercase();
    let shown = match (scheme, explicit) {
        (Some(s), Some(p)) => format!("{s}://{host}:{p}{url_path}"),
        (Some(s), None) => format!("{s}://{host}{url_path}"),
        (None, Some(p)) => format!("{host}:{p}"),
        (None, None) => host.clone(),
    };
    Some(Address {
        host,
        port,
        had_scheme: scheme.is_some(),
        shown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = parse_address("http://localhost/nginx_status").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("localhost", Some(80)));
        let a = parse_address("redis-st-0.redis-svc.default.svc.cluster.local:6379:1").unwrap();
        assert_eq!(a.port, Some(6379));
        let a = parse_address("postgres://user:hunter2@db.example.com:5432/app").unwrap();
        assert_eq!(a.shown, "postgres://db.example.com:5432/app");
        assert!(!a.shown.contains("hunter2"));
        assert!(parse_address("project:region:instance").is_none());
        let a = parse_address("[::1]:9090").unwrap();
        assert_eq!((a.host.as_str(), a.port), ("[::1]", Some(9090)));
    }

    #[test]
    fn a_scheme_after_a_multibyte_character_is_cut_at_a_character_boundary() {
        // Found by tests/fuzz.rs: the byte after the last non-scheme character was taken for
        // the scheme's start, inside the crab.
        let found = loopback_candidates("http🦀://127.0.0.1:8010/basic_status");
        assert!(
            found.contains(&"://127.0.0.1:8010/basic_status".to_string()),
            "{found:?}"
        );
    }
}
