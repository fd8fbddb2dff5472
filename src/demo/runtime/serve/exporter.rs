//! The nginx exporter's stand-in: `/metrics` from the `stub_status` page it really scrapes,
//! over the pod's loopback, each time it is asked (`nginx_up 0` when the scrape fails), in
//! the exporter's metric names.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Reply, response};
use crate::demo::runtime::network::PodNetwork;

/// The nginx exporter's `/metrics`, from the status page it scrapes now.
pub(super) fn exporter(network: Arc<PodNetwork>, scrape: String, req: Request<Incoming>) -> Reply {
    Box::pin(async move {
        if req.uri().path() != "/metrics" {
            let page = "<html><head><title>NGINX Exporter</title></head><body><h1>NGINX Exporter</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
            return response(
                StatusCode::OK,
                "text/html",
                page,
                "nginx-prometheus-exporter",
            );
        }
        let status = scrape_status(&network, &scrape).await;
        let body = metrics(status.as_deref());
        response(
            StatusCode::OK,
            "text/plain; version=0.0.4",
            body,
            "nginx-prometheus-exporter",
        )
    })
}

async fn scrape_status(network: &Arc<PodNetwork>, url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let port = host
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(80u16);
    let network = network.clone();
    let stream = tokio::task::spawn_blocking(move || network.connect(port))
        .await
        .ok()?
        .ok()?;
    stream.set_nonblocking(true).ok()?;
    let mut stream = tokio::net::TcpStream::from_std(stream).ok()?;
    let request = format!(
        "GET {path} HTTP/1.0\r\nHost: localhost\r\nUser-Agent: NGINX-Prometheus-Exporter/v1.4.0\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut reply = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_string(&mut reply),
    )
    .await
    .ok()?
    .ok()?;
    let (head, body) = reply.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1);
    (status == Some("200")).then(|| body.to_string())
}

/// The exporter's metrics for a `stub_status` page (`None`: the scrape failed, `nginx_up 0`).
pub fn metrics(status: Option<&str>) -> String {
    let mut out =
        String::from("# HELP nginx_up Status of the last metric scrape\n# TYPE nginx_up gauge\n");
    let numbers: Vec<u64> = status
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    let [
        active,
        accepted,
        handled,
        requests,
        reading,
        writing,
        waiting,
    ] = numbers[..]
    else {
        out.push_str("nginx_up 0\n");
        return out;
    };
    out.push_str("nginx_up 1\n");
    for (name, kind, help, value) in [
        (
            "nginx_connections_accepted",
            "counter",
            "Accepted client connections",
            accepted,
        ),
        (
            "nginx_connections_active",
            "gauge",
            "Active client connections",
            active,
        ),
        (
            "nginx_connections_handled",
            "counter",
            "Handled client connections",
            handled,
        ),
        (
            "nginx_connections_reading",
            "gauge",
            "Connections where NGINX is reading the request header",
            reading,
        ),
        (
            "nginx_connections_waiting",
            "gauge",
            "Idle client connections",
            waiting,
        ),
        (
            "nginx_connections_writing",
            "gauge",
            "Connections where NGINX is writing the response back to the client",
            writing,
        ),
        (
            "nginx_http_requests_total",
            "counter",
            "Total http requests",
            requests,
        ),
    ] {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_come_from_the_status_page() {
        let page = "Active connections: 2 \nserver accepts handled requests\n 7 7 9 \nReading: 0 Writing: 1 Waiting: 1 \n";
        let text = metrics(Some(page));
        assert!(text.contains("nginx_up 1\n"));
        assert!(text.contains("nginx_http_requests_total 9\n"));
        assert!(text.contains("nginx_connections_active 2\n"));
        assert!(metrics(None).ends_with("nginx_up 0\n"));
        assert!(metrics(Some("<html>502</html>")).ends_with("nginx_up 0\n"));
    }
}
