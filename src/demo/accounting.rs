//! What each client asks of the demo server: requests by client, verb, resource and code, and
//! the bytes sent back, served on `/metrics` in the Prometheus text format like the
//! apiserver's `apiserver_request_total` (with the client's user agent as a label, so a
//! benchmark can tell podscope's load from kubectl's).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame};
use hyper::{Method, Request};

use super::http::ApiBody;

/// (client, verb, resource, code)
type Labels = (String, &'static str, String, u16);

#[derive(Default)]
pub struct Accounting {
    requests: Mutex<BTreeMap<Labels, u64>>,
    /// Response bytes per client, shared with the bodies still being sent.
    bytes: Mutex<BTreeMap<String, Arc<AtomicU64>>>,
    /// Watches ended because their client fell too far behind, by resource (the
    /// apiserver's `apiserver_terminated_watchers_total`): a client that cannot keep up.
    terminated: Mutex<BTreeMap<&'static str, u64>>,
}

/// What a request is, as the apiserver's metrics label it.
pub struct Asked {
    client: String,
    verb: &'static str,
    resource: String,
}

/// The client's name: its user agent up to the first space (`kubectl/v1.32.3`).
fn client_of<B>(req: &Request<B>) -> String {
    let agent = req
        .headers()
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    let name = agent.split_whitespace().next().unwrap_or("unknown");
    name.chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .take(64)
        .collect()
}

/// `pods`, `pods/log`, `namespaces` ... from `/api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB]]`.
fn resource_of(path: &str) -> (String, bool) {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest: &[&str] = match parts.as_slice() {
        ["api", _, "namespaces", _, rest @ ..] if !rest.is_empty() => rest,
        ["api", _, rest @ ..] | ["apis", _, _, rest @ ..] => rest,
        _ => return (parts.first().copied().unwrap_or("").to_string(), false),
    };
    match rest {
        [] => (String::new(), false),
        [resource] => (resource.to_string(), true),
        [resource, _] => (resource.to_string(), false),
        [resource, _, sub, ..] => (format!("{resource}/{sub}"), false),
    }
}

impl Accounting {
    pub fn asked<B>(req: &Request<B>) -> Asked {
        let (resource, collection) = resource_of(req.uri().path());
        let watch = req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|kv| kv == "watch=true" || kv == "watch=1"));
        let verb = match *req.method() {
            Method::GET if watch => "WATCH",
            Method::GET if collection => "LIST",
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::PATCH => "PATCH",
            Method::DELETE => "DELETE",
            _ => "OTHER",
        };
        Asked {
            client: client_of(req),
            verb,
            resource,
        }
    }

    /// Count the request with its answer's code; the body counts its bytes as they go out.
    pub fn answered(
        &self,
        asked: Asked,
        response: hyper::Response<ApiBody>,
    ) -> hyper::Response<Metered> {
        let code = response.status().as_u16();
        if let Ok(mut requests) = self.requests.lock() {
            *requests
                .entry((asked.client.clone(), asked.verb, asked.resource, code))
                .or_default() += 1;
        }
        let counter = self
            .bytes
            .lock()
            .map(|mut b| b.entry(asked.client).or_default().clone())
            .unwrap_or_default();
        response.map(|body| Metered { body, counter })
    }

    /// A watch on `resource` was ended because its client fell behind.
    pub fn watcher_terminated(&self, resource: &'static str) {
        if let Ok(mut terminated) = self.terminated.lock() {
            *terminated.entry(resource).or_default() += 1;
        }
    }

    /// The counts in the Prometheus text format.
    pub fn exposition(&self) -> String {
        let mut out = String::from(
            "# HELP apiserver_request_total Requests by client (user agent), verb, resource and HTTP code.\n# TYPE apiserver_request_total counter\n",
        );
        if let Ok(requests) = self.requests.lock() {
            for ((client, verb, resource, code), n) in requests.iter() {
                out.push_str(&format!(
                    "apiserver_request_total{{client=\"{client}\",verb=\"{verb}\",resource=\"{resource}\",code=\"{code}\"}} {n}\n"
                ));
            }
        }
        out.push_str("# HELP podscope_demo_response_bytes_total Response body bytes sent, by client.\n# TYPE podscope_demo_response_bytes_total counter\n");
        if let Ok(bytes) = self.bytes.lock() {
            for (client, n) in bytes.iter() {
                out.push_str(&format!(
                    "podscope_demo_response_bytes_total{{client=\"{client}\"}} {}\n",
                    n.load(Ordering::Relaxed)
                ));
            }
        }
        out.push_str("# HELP apiserver_terminated_watchers_total Watches closed because their client did not keep up, by resource.\n# TYPE apiserver_terminated_watchers_total counter\n");
        if let Ok(terminated) = self.terminated.lock() {
            for (resource, n) in terminated.iter() {
                out.push_str(&format!(
                    "apiserver_terminated_watchers_total{{resource=\"{resource}\"}} {n}\n"
                ));
            }
        }
        out
    }
}

/// A response body that adds what it sends to its client's byte count.
pub struct Metered {
    body: ApiBody,
    counter: Arc<AtomicU64>,
}

impl Body for Metered {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            this.counter.fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(method: Method, uri: &str, agent: &str) -> Asked {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("user-agent", agent)
            .body(())
            .unwrap();
        Accounting::asked(&req)
    }

    #[test]
    fn requests_are_labelled_as_the_apiserver_labels_them() {
        let cases = [
            (Method::GET, "/api/v1/pods?limit=500", "LIST", "pods"),
            (
                Method::GET,
                "/api/v1/pods?watch=true&resourceVersion=5",
                "WATCH",
                "pods",
            ),
            (
                Method::GET,
                "/api/v1/namespaces/default/pods/counter",
                "GET",
                "pods",
            ),
            (
                Method::GET,
                "/api/v1/namespaces/default/pods/counter/log",
                "GET",
                "pods/log",
            ),
            (
                Method::POST,
                "/api/v1/namespaces/default/pods",
                "POST",
                "pods",
            ),
            (Method::GET, "/api/v1/namespaces", "LIST", "namespaces"),
        ];
        for (method, uri, verb, resource) in cases {
            let a = asked(method, uri, "kubectl/v1.32.3 (linux/amd64) kubernetes/abc");
            assert_eq!((a.verb, a.resource.as_str()), (verb, resource), "{uri}");
            assert_eq!(a.client, "kubectl/v1.32.3");
        }
    }

    #[test]
    fn the_exposition_counts_requests_per_client() {
        let acc = Accounting::default();
        for _ in 0..3 {
            let a = asked(Method::GET, "/api/v1/pods", "podscope/0.1");
            let _ = acc.answered(a, crate::demo::http::empty(hyper::StatusCode::OK, None));
        }
        let text = acc.exposition();
        assert!(
            text.contains(
                "apiserver_request_total{client=\"podscope/0.1\",verb=\"LIST\",resource=\"pods\",code=\"200\"} 3"
            ),
            "{text}"
        );
    }
}
