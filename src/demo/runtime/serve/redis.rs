//! The stand-ins that speak Redis's protocol (RESP) on the pod's network, simulated: a
//! server answering the common commands from memory (PING, ECHO, SET, GET, DEL, EXISTS,
//! INCR, DECR, KEYS, DBSIZE, FLUSHALL, INFO, SELECT, QUIT), and an ambassador (twemproxy)
//! that forwards each client connection to one of the servers named in `REDIS_SERVERS`: a
//! pod by its DNS name (`redis-st-0.redis-svc.default.svc.cluster.local`) or a Service's
//! ready endpoint. Not Redis, and says so in `INFO`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::demo::Shared;

type Data = Arc<Mutex<BTreeMap<String, String>>>;

pub async fn server(listener: TcpListener) {
    let data: Data = Arc::default();
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(session(stream, data.clone()));
    }
}

/// One command: a RESP array of bulk strings, or an inline line (`PING`).
async fn command(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<String>> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let line = line.trim_end();
    let Some(count) = line.strip_prefix('*') else {
        return Some(line.split_whitespace().map(str::to_string).collect());
    };
    let mut parts = Vec::new();
    for _ in 0..count.parse::<usize>().ok()?.min(1024) {
        let mut header = String::new();
        reader.read_line(&mut header).await.ok()?;
        let len = header
            .trim_end()
            .strip_prefix('$')?
            .parse::<usize>()
            .ok()?
            .min(1 << 20);
        let mut bulk = vec![0u8; len + 2];
        reader.read_exact(&mut bulk).await.ok()?;
        bulk.truncate(len);
        parts.push(String::from_utf8_lossy(&bulk).into_owned());
    }
    Some(parts)
}

fn bulk(s: &str) -> String {
    format!("${}\r\n{s}\r\n", s.len())
}

/// The reply to one command.
pub fn reply(data: &Data, args: &[String]) -> String {
    let Some((name, rest)) = args.split_first() else {
        return String::new();
    };
    let Ok(mut data) = data.lock() else {
        return "-ERR the demo's store is unavailable\r\n".into();
    };
    let arity = |n: usize| rest.len() == n;
    let wrong = || {
        format!(
            "-ERR wrong number of arguments for '{}' command\r\n",
            name.to_lowercase()
        )
    };
    match name.to_uppercase().as_str() {
        "PING" if rest.is_empty() => "+PONG\r\n".into(),
        "PING" | "ECHO" if arity(1) => bulk(&rest[0]),
        "SET" if rest.len() >= 2 => {
            data.insert(rest[0].clone(), rest[1].clone());
            "+OK\r\n".into()
        }
        "GET" if arity(1) => data.get(&rest[0]).map_or("$-1\r\n".into(), |v| bulk(v)),
        "DEL" | "EXISTS" if !rest.is_empty() => {
            let del = name.eq_ignore_ascii_case("DEL");
            let n = rest
                .iter()
                .filter(|k| {
                    if del {
                        data.remove(*k).is_some()
                    } else {
                        data.contains_key(*k)
                    }
                })
                .count();
            format!(":{n}\r\n")
        }
        "INCR" | "DECR" if arity(1) => {
            let by = if name.eq_ignore_ascii_case("INCR") {
                1
            } else {
                -1
            };
            let now = data.get(&rest[0]).map_or(Ok(0), |v| v.parse::<i64>());
            match now {
                Ok(n) => {
                    data.insert(rest[0].clone(), (n + by).to_string());
                    format!(":{}\r\n", n + by)
                }
                Err(_) => "-ERR value is not an integer or out of range\r\n".into(),
            }
        }
        "KEYS" if arity(1) => {
            let pattern = rest[0].trim_end_matches('*');
            let keys: Vec<&String> = data
                .keys()
                .filter(|k| rest[0] == "*" || k.starts_with(pattern))
                .collect();
            let mut out = format!("*{}\r\n", keys.len());
            for k in keys {
                out.push_str(&bulk(k));
            }
            out
        }
        "DBSIZE" => format!(":{}\r\n", data.len()),
        "FLUSHALL" | "FLUSHDB" => {
            data.clear();
            "+OK\r\n".into()
        }
        "SELECT" | "CLIENT" | "AUTH" => "+OK\r\n".into(),
        "INFO" => bulk(
            "# Server\r\nredis_version:7.4.1\r\nredis_mode:standalone\r\nexecutable:podscope demo stand-in (simulated, not Redis)\r\n",
        ),
        "COMMAND" => "*0\r\n".into(),
        "QUIT" => "+OK\r\n".into(),
        "PING" | "ECHO" | "SET" | "GET" | "DEL" | "EXISTS" | "INCR" | "DECR" | "KEYS" => wrong(),
        _ => {
            let shown: Vec<String> = rest.iter().map(|a| format!("'{a}'")).collect();
            format!(
                "-ERR unknown command '{name}', with args beginning with: {}\r\n",
                shown.join(" ")
            )
        }
    }
}

async fn session(stream: TcpStream, data: Data) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    while let Some(args) = command(&mut reader).await {
        let answer = reply(&data, &args);
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
        if args.first().is_some_and(|c| c.eq_ignore_ascii_case("QUIT")) {
            return;
        }
    }
}

/// twemproxy's stand-in: each client connection joined to the next server that answers.
pub async fn ambassador(
    listener: TcpListener,
    shared: Arc<Shared>,
    namespace: String,
    servers: Vec<(String, u16)>,
) {
    let turn = std::sync::atomic::AtomicUsize::new(0);
    while let Ok((mut client, _)) = listener.accept().await {
        let start = turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (shared, namespace, servers) = (shared.clone(), namespace.clone(), servers.clone());
        tokio::spawn(async move {
            for i in 0..servers.len() {
                let (host, port) = &servers[(start + i) % servers.len()];
                if let Some(mut upstream) = connect(&shared, &namespace, host, *port).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    return;
                }
            }
            let _ = client.write_all(b"-ERR Connection refused\r\n").await;
        });
    }
}

/// A connection to `host:port` as the cluster's DNS names it: `POD.SUBDOMAIN[.NS...]` (a
/// pod with that hostname and subdomain), or `SERVICE[.NS...]` (a ready endpoint).
async fn connect(
    shared: &Arc<Shared>,
    namespace: &str,
    host: &str,
    port: u16,
) -> Option<TcpStream> {
    let short = host
        .trim_end_matches('.')
        .trim_end_matches(".cluster.local")
        .trim_end_matches(".svc");
    let parts: Vec<&str> = short.split('.').collect();
    let pod_named = |ns: &str| {
        let pod = shared.pod(ns, parts[0])?;
        let subdomain = pod.spec.as_ref()?.subdomain.clone()?;
        (parts.get(1) == Some(&subdomain.as_str()))
            .then(|| (ns.to_string(), parts[0].to_string(), port))
    };
    let target = if parts.len() >= 2 {
        pod_named(parts.get(2).copied().unwrap_or(namespace))
    } else {
        None
    };
    let (ns, pod, port) = match target {
        Some(t) => t,
        None => {
            let ns = parts.get(1).copied().unwrap_or(namespace);
            let (pod, port) = crate::demo::proxy::endpoint(shared, ns, parts[0], port)?;
            (ns.to_string(), pod, port)
        }
    };
    let network = shared.runtime.existing_network(&ns, &pod)?;
    let stream = tokio::task::spawn_blocking(move || network.connect(port))
        .await
        .ok()?
        .ok()?;
    stream.set_nonblocking(true).ok()?;
    TcpStream::from_std(stream).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_commands() {
        let data: Data = Arc::default();
        let run = |args: &[&str]| {
            reply(
                &data,
                &args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(run(&["PING"]), "+PONG\r\n");
        assert_eq!(run(&["set", "k", "v"]), "+OK\r\n");
        assert_eq!(run(&["GET", "k"]), "$1\r\nv\r\n");
        assert_eq!(run(&["GET", "missing"]), "$-1\r\n");
        assert_eq!(run(&["INCR", "n"]), ":1\r\n");
        assert_eq!(
            run(&["INCR", "k"]),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(run(&["DBSIZE"]), ":2\r\n");
        assert_eq!(
            run(&["GET"]),
            "-ERR wrong number of arguments for 'get' command\r\n"
        );
        assert!(run(&["HSET", "h", "f", "v"]).starts_with("-ERR unknown command 'HSET'"));
    }
}
