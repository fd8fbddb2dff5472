//! Faults on demand, to prove that clients recover (`podscope demo --serve --fault SPEC`, or
//! the control endpoint while it runs; both behind the admin token):
//!
//! - `503`, `500`, `429` (with `retry-after=SECONDS`): every API request is answered so;
//! - `slow=2s`: every API response waits that long first;
//! - `watch-expired`: every new watch is answered with 410 Expired at once;
//! - `deny-namespace=NS`, `deny-all-namespaces`, `deny-exec`: 403 as RBAC words it;
//! - `log-cut=N`: followed log streams end after N new lines; `exec-cut=3s`: exec sessions are cut;
//! - `for=10s`: the faults clear themselves after that long.
//!
//! The control endpoint (`kubectl create --raw /podscope/faults -f FILE` and so on):
//! `GET /podscope/faults`, `POST|PUT /podscope/faults` with the spec as the body (it replaces
//! the faults; an empty body clears them), `DELETE /podscope/faults`,
//! `POST /podscope/drop-watches`, `POST /podscope/recreate/NS/NAME` (delete and create the
//! pod again under the same name: a new UID), `POST /podscope/burst?add=N&remove=M`.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// The faults in force; all off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultSet {
    /// Answer every API request with this status (429, 500 or 503).
    pub status: Option<u16>,
    /// Retry-After on the injected status, in seconds.
    pub retry_after: Option<u64>,
    pub slow: Option<Duration>,
    pub watch_expired: bool,
    pub deny_namespaces: BTreeSet<String>,
    pub deny_all_namespaces: bool,
    pub deny_exec: bool,
    pub log_cut: Option<usize>,
    pub exec_cut: Option<Duration>,
    /// How long the set lasts (`None`: until cleared).
    pub lasts: Option<Duration>,
}

/// A spec that cannot be read: what and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFault(pub String);

impl std::fmt::Display for BadFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `2s`, `500ms`, `1m`, or plain seconds.
fn duration(text: &str, clause: &str) -> Result<Duration, BadFault> {
    let bad = || {
        BadFault(format!(
            "fault {clause:?}: {text:?} is not a duration (like 500ms, 2s or 1m)"
        ))
    };
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number.parse().map_err(|_| bad())?;
    let millis = match unit {
        "ms" => n,
        "s" => n.saturating_mul(1000),
        "m" => n.saturating_mul(60_000),
        _ => return Err(bad()),
    };
    // An hour is longer than any test; more is a typo.
    if millis > 3_600_000 {
        return Err(BadFault(format!(
            "fault {clause:?}: {text} is more than an hour"
        )));
    }
    Ok(Duration::from_millis(millis))
}

impl FaultSet {
    /// Read clauses separated by commas, spaces or new lines (`503,retry-after=2,for=5s`).
    pub fn parse(spec: &str) -> Result<FaultSet, BadFault> {
        let mut set = FaultSet::default();
        for clause in spec
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|c| !c.is_empty())
        {
            set.add(clause)?;
        }
        if set.retry_after.is_some() && set.status.is_none() {
            return Err(BadFault(
                "fault retry-after needs a status to go with (429 or 503)".to_string(),
            ));
        }
        Ok(set)
    }

    /// Both sets at once (`--fault` given more than once).
    pub fn merge(mut self, other: &FaultSet) -> FaultSet {
        let spec = format!("{},{}", self.spec(), other.spec());
        if let Ok(merged) = FaultSet::parse(&spec) {
            self = merged;
        }
        self
    }

    fn add(&mut self, clause: &str) -> Result<(), BadFault> {
        let (key, value) = match clause.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (clause, None),
        };
        fn need<'a>(key: &str, v: Option<&'a str>) -> Result<&'a str, BadFault> {
            v.filter(|v| !v.is_empty())
                .ok_or_else(|| BadFault(format!("fault {key:?} needs a value ({key}=...)")))
        }
        match key {
            "429" | "500" | "503" if value.is_none() => self.status = key.parse().ok(),
            "retry-after" => {
                let v = need(key, value)?;
                self.retry_after = Some(v.parse().map_err(|_| {
                    BadFault(format!(
                        "fault retry-after: {v:?} is not a number of seconds"
                    ))
                })?);
            }
            "slow" => self.slow = Some(duration(need(key, value)?, clause)?),
            "watch-expired" => self.watch_expired = true,
            "deny-namespace" => {
                self.deny_namespaces.insert(need(key, value)?.to_string());
            }
            "deny-all-namespaces" => self.deny_all_namespaces = true,
            "deny-exec" => self.deny_exec = true,
            "log-cut" => {
                let v = need(key, value)?;
                self.log_cut = Some(v.parse().map_err(|_| {
                    BadFault(format!("fault log-cut: {v:?} is not a number of lines"))
                })?);
            }
            "exec-cut" => self.exec_cut = Some(duration(need(key, value)?, clause)?),
            "for" => self.lasts = Some(duration(need(key, value)?, clause)?),
            _ => {
                return Err(BadFault(format!(
                    "unknown fault {clause:?} (known: 429, 500, 503, retry-after=S, slow=D, watch-expired, deny-namespace=NS, deny-all-namespaces, deny-exec, log-cut=N, exec-cut=D, for=D)"
                )));
            }
        }
        Ok(())
    }

    /// The set as a spec again (what `GET /podscope/faults` shows).
    pub fn spec(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        if let Some(s) = self.status {
            out.push(s.to_string());
        }
        if let Some(r) = self.retry_after {
            out.push(format!("retry-after={r}"));
        }
        if let Some(d) = self.slow {
            out.push(format!("slow={}ms", d.as_millis()));
        }
        if self.watch_expired {
            out.push("watch-expired".into());
        }
        for ns in &self.deny_namespaces {
            out.push(format!("deny-namespace={ns}"));
        }
        if self.deny_all_namespaces {
            out.push("deny-all-namespaces".into());
        }
        if self.deny_exec {
            out.push("deny-exec".into());
        }
        if let Some(n) = self.log_cut {
            out.push(format!("log-cut={n}"));
        }
        if let Some(d) = self.exec_cut {
            out.push(format!("exec-cut={}ms", d.as_millis()));
        }
        if let Some(d) = self.lasts {
            out.push(format!("for={}ms", d.as_millis()));
        }
        out.join(",")
    }
}

/// The faults in force and when they lapse, plus the switch that drops every open watch.
pub struct Faults {
    set: Mutex<(FaultSet, Option<Instant>)>,
    drop_watches: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            set: Mutex::new((FaultSet::default(), None)),
            drop_watches: watch::channel(0).0,
        }
    }
}

impl Faults {
    /// Faults in force from the start.
    pub fn with(set: FaultSet) -> Faults {
        let faults = Faults::default();
        faults.set(set);
        faults
    }

    pub fn set(&self, set: FaultSet) {
        let until = set.lasts.map(|d| Instant::now() + d);
        if let Ok(mut s) = self.set.lock() {
            *s = (set, until);
        }
    }

    /// The faults in force now (none once their time is up).
    pub fn now(&self) -> FaultSet {
        let Ok(mut s) = self.set.lock() else {
            return FaultSet::default();
        };
        if s.1.is_some_and(|until| Instant::now() >= until) {
            *s = (FaultSet::default(), None);
        }
        s.0.clone()
    }

    /// End every open watch (the connection drops, as when a load balancer restarts).
    pub fn drop_watches(&self) {
        self.drop_watches.send_modify(|n| *n += 1);
    }

    /// Changes when the watches are to be dropped.
    pub fn watch_drops(&self) -> watch::Receiver<u64> {
        self.drop_watches.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_and_print_back() {
        let set = FaultSet::parse("503, retry-after=2 for=5s\ndeny-namespace=kube-system").unwrap();
        assert_eq!(set.status, Some(503));
        assert_eq!(set.retry_after, Some(2));
        assert_eq!(set.lasts, Some(Duration::from_secs(5)));
        assert!(set.deny_namespaces.contains("kube-system"));
        assert_eq!(FaultSet::parse(&set.spec()).unwrap(), set);
        assert_eq!(FaultSet::parse("").unwrap(), FaultSet::default());
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (spec, says) in [
            ("404", "unknown fault \"404\""),
            ("slow=fast", "not a duration"),
            ("slow=2h", "not a duration"),
            ("slow=90m", "more than an hour"),
            ("log-cut=", "needs a value"),
            ("retry-after=3", "needs a status"),
        ] {
            let err = FaultSet::parse(spec).unwrap_err().to_string();
            assert!(err.contains(says), "{spec}: {err}");
        }
    }

    #[test]
    fn a_timed_set_lapses() {
        let faults = Faults::default();
        faults.set(FaultSet::parse("503,for=0s").unwrap());
        assert_eq!(faults.now(), FaultSet::default());
        faults.set(FaultSet::parse("503").unwrap());
        assert_eq!(faults.now().status, Some(503));
    }
}
