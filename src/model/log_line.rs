//! Log lines as the kubelet sends them with `timestamps=true`: an RFC3339Nano time, a space,
//! the bytes the container wrote. Pure helpers shared by `podscope logs` and the log view.

use k8s_openapi::jiff::Timestamp;

use super::pod::ContainerState;

/// One line of a container's output, without its newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The line as received (timestamp prefix included, when there is one).
    pub raw: Vec<u8>,
    /// Where the container's own bytes start in `raw`.
    pub body_at: usize,
    pub time: Option<Timestamp>,
}

impl LogLine {
    /// Split the kubelet's timestamp prefix off a received line.
    pub fn parse(mut raw: Vec<u8>) -> LogLine {
        if raw.last() == Some(&b'\n') {
            raw.pop();
            if raw.last() == Some(&b'\r') {
                raw.pop();
            }
        }
        let stamp = raw
            .iter()
            .take(40)
            .position(|&b| b == b' ')
            .and_then(|space| {
                let text = std::str::from_utf8(&raw[..space]).ok()?;
                // Cheap check before the parser: "2024-...T...Z" or with an offset.
                if text.len() < 20 || text.as_bytes()[10] != b'T' {
                    return None;
                }
                Some((text.parse::<Timestamp>().ok()?, space + 1))
            });
        match stamp {
            Some((time, body_at)) => LogLine {
                raw,
                body_at,
                time: Some(time),
            },
            None => LogLine {
                raw,
                body_at: 0,
                time: None,
            },
        }
    }

    /// The container's bytes.
    pub fn body(&self) -> &[u8] {
        &self.raw[self.body_at..]
    }

    /// The timestamp text as the server sent it (empty when there was none).
    pub fn stamp(&self) -> &[u8] {
        if self.body_at == 0 {
            &[]
        } else {
            &self.raw[..self.body_at - 1]
        }
    }
}

/// Text safe to draw: invalid UTF-8 bytes shown as `\xNN`, control characters (escape
/// sequences a container printed) shown as `^[`-style carets, tabs expanded to spaces.
pub fn printable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for ch in chunk.valid().chars() {
            match ch {
                '\t' => {
                    let pad = 4 - out.chars().count() % 4;
                    out.extend(std::iter::repeat_n(' ', pad));
                }
                c if (c as u32) < 0x20 => {
                    out.push('^');
                    out.push(char::from(b'@' + c as u8));
                }
                '\u{7f}' => out.push_str("^?"),
                c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The line drawn between two instances of a container, e.g.
/// `── restarted: exit 1 (Error), restart #4 ──`.
pub fn restart_boundary(last_state: Option<&ContainerState>, restart_count: i32) -> String {
    let how = match last_state {
        Some(ContainerState::Terminated {
            exit_code,
            signal,
            reason,
            ..
        }) => {
            let mut how = format!("exit {exit_code}");
            if let Some(signal) = signal.filter(|s| *s != 0) {
                how.push_str(&format!(", signal {signal}"));
            }
            if let Some(reason) = reason.as_deref().filter(|r| !r.is_empty()) {
                how.push_str(&format!(" ({reason})"));
            }
            how
        }
        _ => "previous instance ended".to_string(),
    };
    format!("── restarted: {how}, restart #{restart_count} ──")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_prefix() {
        let line = LogLine::parse(b"2026-11-21T10:00:01.123456789Z hello world\n".to_vec());
        assert_eq!(line.body(), b"hello world");
        assert_eq!(line.stamp(), b"2026-11-21T10:00:01.123456789Z");
        assert!(line.time.is_some());
        let plain = LogLine::parse(b"no stamp here".to_vec());
        assert_eq!(plain.body(), b"no stamp here");
        assert!(plain.time.is_none() && plain.stamp().is_empty());
    }

    #[test]
    fn printable_text() {
        assert_eq!(printable(b"ok \xff\xfe end"), "ok \\xff\\xfe end");
        assert_eq!(printable(b"\x1b[31mred"), "^[[31mred");
        assert_eq!(printable(b"a\tb"), "a   b");
        assert_eq!(printable("héllo".as_bytes()), "héllo");
    }

    #[test]
    fn boundary_text() {
        let last = ContainerState::Terminated {
            exit_code: 1,
            signal: None,
            reason: Some("Error".into()),
            message: None,
            started_at: None,
            finished_at: None,
        };
        assert_eq!(
            restart_boundary(Some(&last), 4),
            "── restarted: exit 1 (Error), restart #4 ──"
        );
        assert_eq!(
            restart_boundary(None, 1),
            "── restarted: previous instance ended, restart #1 ──"
        );
    }
}
