//! CPU and memory in use per container (what `kubectl top pod --containers` reads from
//! `metrics.k8s.io`), against the container's requests and limits, as k9s shows them.

use std::collections::BTreeMap;

use super::pod::Resources;

/// One container's usage in the metrics API's last window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContainerUsage {
    pub nanocores: u64,
    pub bytes: u64,
}

/// (namespace, pod, container) → usage.
pub type UsageMap = BTreeMap<(String, String, String), ContainerUsage>;

/// Whether the cluster has a metrics API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum MetricsStatus {
    #[default]
    Unknown,
    Available,
    /// No metrics API (no metrics-server), or not allowed: why.
    Unavailable(String),
}

/// A CPU quantity (`100m`, `0.5`, `2`, `1254721n`, `250u`) in nanocores.
pub fn cpu_nanocores(q: &str) -> Option<u64> {
    let q = q.trim();
    let (number, scale) = match q.char_indices().last()? {
        (i, 'n') => (&q[..i], 1.0),
        (i, 'u') => (&q[..i], 1e3),
        (i, 'm') => (&q[..i], 1e6),
        (i, 'k') => (&q[..i], 1e12),
        _ => (q, 1e9),
    };
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| (value * scale).round() as u64)
}

/// A memory quantity (`128Mi`, `1Gi`, `500M`, `3120Ki`, `1e9`, `2048`) in bytes.
pub fn bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
    ];
    let (number, scale) = SUFFIXES
        .iter()
        .find_map(|(s, f)| q.strip_suffix(s).map(|n| (n, *f)))
        .unwrap_or((q, 1.0));
    let value: f64 = number.parse().ok()?;
    (value >= 0.0).then(|| (value * scale).round() as u64)
}

/// kubectl top's CPU cell: millicores rounded up (`2m`).
pub fn cpu_cell(nanocores: u64) -> String {
    format!("{}m", nanocores.div_ceil(1_000_000))
}

/// kubectl top's memory cell: MiB rounded down (`3Mi`).
pub fn memory_cell(bytes: u64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

/// `3m (3% of request 100m, 1% of limit 500m)`: usage against what the spec says.
pub fn against(
    used: u64,
    name: &str,
    resources: &Resources,
    parse: fn(&str) -> Option<u64>,
    cell: fn(u64) -> String,
) -> String {
    let mut out = cell(used);
    let mut parts = Vec::new();
    for (what, map) in [
        ("request", &resources.requests),
        ("limit", &resources.limits),
    ] {
        if let Some((written, total)) = map
            .get(name)
            .and_then(|q| parse(q).map(|t| (q, t)))
            .filter(|(_, t)| *t > 0)
        {
            let percent = used as f64 * 100.0 / total as f64;
            parts.push(format!("{percent:.0}% of {what} {written}"));
        }
    }
    if !parts.is_empty() {
        out.push_str(&format!(" ({})", parts.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(cpu_nanocores("100m"), Some(100_000_000));
        assert_eq!(cpu_nanocores("0.5"), Some(500_000_000));
        assert_eq!(cpu_nanocores("2"), Some(2_000_000_000));
        assert_eq!(cpu_nanocores("1254721n"), Some(1_254_721));
        assert_eq!(cpu_nanocores("x"), None);
        assert_eq!(bytes("128Mi"), Some(134_217_728));
        assert_eq!(bytes("3120Ki"), Some(3_194_880));
        assert_eq!(bytes("500M"), Some(500_000_000));
        assert_eq!(bytes("2048"), Some(2048));
        assert_eq!(cpu_cell(1_254_721), "2m");
        assert_eq!(memory_cell(3_194_880), "3Mi");
    }

    #[test]
    fn usage_against_requests_and_limits() {
        let r = Resources {
            requests: BTreeMap::from([("memory".to_string(), "128Mi".to_string())]).into(),
            limits: BTreeMap::from([("memory".to_string(), "256Mi".to_string())]).into(),
        };
        assert_eq!(
            against(64 * 1024 * 1024, "memory", &r, bytes, memory_cell),
            "64Mi (50% of request 128Mi, 25% of limit 256Mi)"
        );
        assert_eq!(against(5_000_000, "cpu", &r, cpu_nanocores, cpu_cell), "5m");
    }
}
