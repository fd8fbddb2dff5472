//! The stand-ins that serve, simulated but answering for real on the pod's own network (see
//! [`super::network`]), while the container's stand-in script runs: a web server (nginx,
//! httpd) serving the files of the volume at its html root, nginx's `stub_status` page where
//! its configuration asks for one, the nginx exporter, which really scrapes the status URL in
//! its arguments and serves what it read on `/metrics`, and Redis and its ambassador
//! (twemproxy) in [`redis`]. Each request is logged as
//! nginx logs it: into the access log in a volume at `/var/log/nginx`, else to stdout.
//! This is the demo's code standing in for the real software, and says so in its pages.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::task::JoinHandle;

use super::Logbook;
use super::plan::ContainerPlan;
use super::supervisor::PodRun;
use crate::model::role::knowledge::ImageKind;

mod exporter;
mod redis;

const WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head><title>Welcome to nginx!</title></head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>This is the podscope demo's stand-in for nginx: it serves the files of the volume mounted at its html root, and this page when there is none.</p>\n</body>\n</html>\n";

enum AccessLog {
    Stdout(Arc<Logbook>),
    File(PathBuf),
}

struct Site {
    product: String,
    /// The html root's directory on the host (a volume), if one is mounted there.
    root: Option<PathBuf>,
    /// Where nginx's configuration puts `stub_status`.
    status_path: Option<String>,
    log: AccessLog,
    accepts: AtomicU64,
    requests: AtomicU64,
    active: AtomicI64,
}

/// A stand-in that answers on a port: a web server's files (nginx, httpd), or an exporter's
/// `/metrics` from the status page it scrapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    Web {
        product: String,
        port: u16,
    },
    Exporter {
        port: u16,
        scrape: String,
    },
    Redis {
        port: u16,
    },
    /// twemproxy: a port, and the servers it forwards to.
    Ambassador {
        port: u16,
        servers: Vec<(String, u16)>,
    },
}

/// What the stand-in for `product` serves, if it serves.
pub fn serving_of(
    product: &str,
    kind: Option<ImageKind>,
    port: Option<i32>,
    args: &[String],
    env: &[(String, String)],
) -> Option<Serving> {
    let port = |default: u16| port.and_then(|p| u16::try_from(p).ok()).unwrap_or(default);
    match kind? {
        ImageKind::WebServer if ["nginx", "httpd"].contains(&product) => Some(Serving::Web {
            product: product.to_string(),
            port: port(80),
        }),
        ImageKind::MetricsExporter if product == "nginx-prometheus-exporter" => {
            // `-nginx.scrape-uri URL`, `--nginx.scrape-uri=URL`, or the default.
            let mut scrape = "http://127.0.0.1:8080/stub_status".to_string();
            for (i, a) in args.iter().enumerate() {
                let flag = a.trim_start_matches('-');
                if let Some(v) = flag.strip_prefix("nginx.scrape-uri=") {
                    scrape = v.to_string();
                } else if flag == "nginx.scrape-uri"
                    && let Some(v) = args.get(i + 1)
                {
                    scrape = v.clone();
                }
            }
            Some(Serving::Exporter {
                port: port(9113),
                scrape,
            })
        }
        ImageKind::Datastore if product == "redis" => Some(Serving::Redis { port: port(6379) }),
        ImageKind::OutboundProxy if product == "twemproxy" => {
            // `REDIS_SERVERS=host:port:weight host:port:weight` (the image's own setting).
            let servers = env
                .iter()
                .find(|(k, _)| k == "REDIS_SERVERS")
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
                .split([' ', ','])
                .filter_map(|s| {
                    let mut parts = s.split(':');
                    let host = parts.next().filter(|h| !h.is_empty())?;
                    let port = parts.next().and_then(|p| p.parse().ok()).unwrap_or(6379);
                    Some((host.to_string(), port))
                })
                .collect();
            Some(Serving::Ambassador {
                port: port(6380),
                servers,
            })
        }
        _ => None,
    }
}

/// Start what `plan`'s stand-in serves, if anything, for as long as the returned task runs.
pub fn start(run: &PodRun, plan: &ContainerPlan, book: &Arc<Logbook>) -> Option<JoinHandle<()>> {
    let serving = plan.serving.clone()?;
    let network = run
        .shared
        .runtime
        .existing_network(&run.namespace, &run.name)?;
    let port = match &serving {
        Serving::Web { port, .. }
        | Serving::Exporter { port, .. }
        | Serving::Redis { port }
        | Serving::Ambassador { port, .. } => *port,
    };
    let listener = network
        .listen(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))
        .ok()?;
    listener.set_nonblocking(true).ok()?;
    let listener = tokio::net::TcpListener::from_std(listener).ok()?;
    let handler: Arc<dyn Fn(Request<Incoming>) -> Reply + Send + Sync> = match serving {
        Serving::Redis { .. } => return Some(tokio::spawn(redis::server(listener))),
        Serving::Ambassador { servers, .. } => {
            let (shared, ns) = (run.shared.clone(), run.namespace.clone());
            return Some(tokio::spawn(redis::ambassador(
                listener, shared, ns, servers,
            )));
        }
        Serving::Web { product, .. } => {
            let site = Arc::new(site(run, plan, &product, book));
            Arc::new(move |req| web(site.clone(), req))
        }
        Serving::Exporter { scrape, .. } => {
            let network = network.clone();
            Arc::new(move |req| exporter::exporter(network.clone(), scrape.clone(), req))
        }
    };
    Some(tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let reply = handler(req);
                    async move { Ok::<_, Infallible>(reply.await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }))
}

pub(super) type Reply = std::pin::Pin<Box<dyn Future<Output = Response<Full<Bytes>>> + Send>>;

/// Where a volume mounted at `path` lives on the host.
fn volume_dir(run: &PodRun, plan: &ContainerPlan, path: &str) -> Option<PathBuf> {
    let m = plan
        .mounts
        .iter()
        .find(|m| m.mount_path.trim_end_matches('/') == path)?;
    let dir = run.volumes.get(&m.volume)?;
    Some(match &m.sub_path {
        Some(sub) => dir.join(sub.trim_start_matches('/')),
        None => dir.clone(),
    })
}

fn site(run: &PodRun, plan: &ContainerPlan, product: &str, book: &Arc<Logbook>) -> Site {
    let html = if product == "httpd" {
        "/usr/local/apache2/htdocs"
    } else {
        "/usr/share/nginx/html"
    };
    let status_path = plan
        .mounts
        .iter()
        .filter(|m| m.mount_path.starts_with("/etc/nginx"))
        .filter_map(|m| volume_dir(run, plan, m.mount_path.trim_end_matches('/')))
        .find_map(|dir| stub_status_path(&dir));
    let log = match volume_dir(run, plan, &format!("/var/log/{product}")) {
        Some(dir) => AccessLog::File(dir.join("access.log")),
        None => AccessLog::Stdout(book.clone()),
    };
    Site {
        product: product.to_string(),
        root: volume_dir(run, plan, html),
        status_path,
        log,
        accepts: AtomicU64::new(0),
        requests: AtomicU64::new(0),
        active: AtomicI64::new(0),
    }
}

/// The `location` whose block says `stub_status`, in the configuration files of `dir`.
fn stub_status_path(dir: &Path) -> Option<String> {
    let files = std::fs::read_dir(dir).ok()?;
    files.flatten().find_map(|f| {
        let text = std::fs::read_to_string(f.path()).ok()?;
        let at = text.find("stub_status")?;
        let before = &text[..at];
        let location = before.rfind("location")?;
        before[location + "location".len()..]
            .split_whitespace()
            .find(|w| w.starts_with('/'))
            .map(str::to_string)
    })
}

pub(super) fn response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
    product: &str,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = header::HeaderValue::from_str(product) {
        headers.insert(header::SERVER, v);
    }
    r
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html",
        Some("css") => "text/css",
        Some("js") => "application/javascript",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("txt" | "log") => "text/plain",
        _ => "application/octet-stream",
    }
}

fn web(site: Arc<Site>, req: Request<Incoming>) -> Reply {
    Box::pin(async move {
        site.accepts.fetch_add(1, Ordering::Relaxed);
        site.requests.fetch_add(1, Ordering::Relaxed);
        site.active.fetch_add(1, Ordering::Relaxed);
        let reply = answer(&site, &req);
        site.active.fetch_sub(1, Ordering::Relaxed);
        log_request(&site, &req, reply.status().as_u16(), reply_len(&reply));
        reply
    })
}

fn reply_len(r: &Response<Full<Bytes>>) -> u64 {
    use hyper::body::Body;
    r.body().size_hint().exact().unwrap_or(0)
}

fn answer(site: &Site, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let product = &site.product;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return response(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/html",
            "<html><body><h1>405 Not Allowed</h1></body></html>\n",
            product,
        );
    }
    answer_path(site, req.uri().path())
}

/// The page for a GET of `path`: the status page, a file of the html root, or an error.
fn answer_path(site: &Site, path: &str) -> Response<Full<Bytes>> {
    let product = &site.product;
    if site.status_path.as_deref() == Some(path) {
        let active = site.active.load(Ordering::Relaxed);
        let (accepts, requests) = (
            site.accepts.load(Ordering::Relaxed),
            site.requests.load(Ordering::Relaxed),
        );
        let body = format!(
            "Active connections: {active} \nserver accepts handled requests\n {accepts} {accepts} {requests} \nReading: 0 Writing: {active} Waiting: 0 \n"
        );
        return response(StatusCode::OK, "text/plain", body, product);
    }
    let not_found = || {
        response(
            StatusCode::NOT_FOUND,
            "text/html",
            "<html><body><h1>404 Not Found</h1></body></html>\n",
            product,
        )
    };
    if path.split('/').any(|part| part == "..") {
        return not_found();
    }
    let Some(root) = &site.root else {
        return if path == "/" || path == "/index.html" {
            response(StatusCode::OK, "text/html", WELCOME, product)
        } else {
            not_found()
        };
    };
    let mut file = root.join(path.trim_start_matches('/'));
    if file.is_dir() {
        file = file.join("index.html");
    }
    // The volume is the pod's: a symlink it holds means a path in the container, never one
    // of the host's, so nothing outside the volume is served.
    let inside = match (file.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(root)) => real.starts_with(root),
        _ => true,
    };
    if !inside {
        return not_found();
    }
    match std::fs::read(&file) {
        Ok(bytes) => response(StatusCode::OK, content_type(&file), bytes, product),
        Err(_) if path == "/" => response(
            StatusCode::FORBIDDEN,
            "text/html",
            "<html><body><h1>403 Forbidden</h1></body></html>\n",
            product,
        ),
        Err(_) => not_found(),
    }
}

/// nginx's `combined` format.
fn log_request(site: &Site, req: &Request<Incoming>, status: u16, bytes: u64) {
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let line = format!(
        "127.0.0.1 - - [{}] \"{} {} {:?}\" {status} {bytes} \"-\" \"{agent}\"\n",
        access_time(crate::demo::now()),
        req.method(),
        req.uri(),
        req.version()
    );
    match &site.log {
        AccessLog::Stdout(book) => book.push(SystemTime::now(), Bytes::from(line)),
        AccessLog::File(path) => {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            // Never through a symlink the pod made: it would point at the host's files.
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(path)
            {
                let _ = f.write_all(line.as_bytes());
            }
        }
    }
}

/// `02/Dec/2026:13:30:00 +0000` from an RFC 3339 UTC time.
fn access_time(t: k8s_openapi::jiff::Timestamp) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let text = t.to_string();
    let (date, time) = text.split_once('T').unwrap_or((&text, ""));
    let mut parts = date.split('-');
    let (year, month, day) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let month = month
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .unwrap_or(&"Jan");
    format!(
        "{day}/{month}/{year}:{} +0000",
        time.get(..8).unwrap_or("00:00:00")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_in_the_volume_serves_nothing_of_the_host() {
        let dir = std::env::temp_dir().join(format!("podscope-serve-link-{}", std::process::id()));
        let (root, outside) = (dir.join("html"), dir.join("secret.txt"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(&outside, "host secret").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("leak.html")).unwrap();
        std::fs::write(root.join("index.html"), "page").unwrap();
        let site = Site {
            product: "nginx".into(),
            root: Some(root.clone()),
            status_path: None,
            log: AccessLog::File(dir.join("access.log")),
            accepts: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            active: AtomicI64::new(0),
        };
        assert_eq!(answer_path(&site, "/index.html").status(), StatusCode::OK);
        assert_eq!(
            answer_path(&site, "/leak.html").status(),
            StatusCode::NOT_FOUND
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_status_location_is_read_from_the_config() {
        let dir = std::env::temp_dir().join(format!("podscope-serve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("default.conf"),
            "server {\n  listen 80;\n  location /nginx_status {\n    stub_status;\n  }\n}\n",
        )
        .unwrap();
        assert_eq!(stub_status_path(&dir).as_deref(), Some("/nginx_status"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            access_time(k8s_openapi::jiff::Timestamp::from_second(0).unwrap()),
            "01/Jan/1970:00:00:00 +0000"
        );
    }
}
