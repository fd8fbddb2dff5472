//! `podscope logs POD [-c C] [-f] [-p] [--tail N] [--since D] [--timestamps]
//! [--all-containers] [--prefix]`: kubectl logs' output, byte for byte, on stdout. Unlike
//! kubectl, `-f` keeps following when the container restarts; the boundary line and other
//! notes go to stderr so stdout stays the log.

use std::io::Write;

use super::{find_pod, kubectl_failure, logs_wording, pod_name};
use crate::cli::LogsArgs;
use crate::cluster::logs::{self, LogEvent, LogSpec};
use crate::launch::Failure;
use crate::model::choose_container;
use crate::model::pod::Section;

pub async fn run(args: LogsArgs) -> Result<u8, Failure> {
    let name = pod_name(&args.pod)?;
    let since_seconds = args
        .since
        .as_deref()
        .map(|s| {
            parse_duration(s)
                .map_err(|e| Failure::usage(format!("invalid argument {s:?} for --since: {e}")))
        })
        .transpose()?;
    if let (true, Some(name)) = (args.all_containers, &args.container) {
        return Err(Failure::usage(format!(
            "--all-containers=true should not be specified with container name {name}"
        )));
    }
    let found = find_pod(&args.cluster, name, logs_wording).await?;
    let containers: Vec<String> = if args.all_containers {
        // kubectl's order: init containers, then containers, then ephemeral containers.
        [Section::Init, Section::Regular, Section::Ephemeral]
            .into_iter()
            .flat_map(|s| found.pod.in_section(s).map(|c| c.name.clone()))
            .collect()
    } else {
        let chosen = choose_container(&found.pod, args.container.as_deref())
            .map_err(|e| Failure::kubectl(format!("error: {e}")))?;
        if let Some(notice) = &chosen.notice {
            eprintln!("{notice}");
        }
        vec![chosen.name]
    };
    let spec = |container: &String| LogSpec {
        namespace: found.namespace.clone(),
        pod: name.to_string(),
        container: container.clone(),
        follow: args.follow,
        previous: args.previous,
        stitch_previous: false,
        tail: (args.tail >= 0).then_some(args.tail),
        since_seconds,
    };
    let print = Print {
        prefix: args.prefix,
        timestamps: args.timestamps,
        pod: name,
        containers: &containers,
    };
    // Without -f, one container after another (kubectl's order); with -f, all at once.
    let groups: Vec<Vec<LogSpec>> = if args.follow {
        vec![containers.iter().map(spec).collect()]
    } else {
        containers.iter().map(|c| vec![spec(c)]).collect()
    };
    let mut offset = 0;
    let mut failure = None;
    for group in groups {
        let n = group.len();
        match drain(logs::spawn(&found.client, group), offset, &print).await {
            Drained::Done(f) => failure = failure.or(f),
            Drained::PipeClosed => return Ok(0),
        }
        offset += n;
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(0),
    }
}

struct Print<'a> {
    prefix: bool,
    timestamps: bool,
    pod: &'a str,
    containers: &'a [String],
}

enum Drained {
    /// Every stream ended; the first failure, if any.
    Done(Option<Failure>),
    PipeClosed,
}

async fn drain(mut streams: logs::LogStreams, offset: usize, print: &Print<'_>) -> Drained {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 << 10, stdout.lock());
    let mut failure = None;
    while let Some(msg) = streams.rx.recv().await {
        let container = &print.containers[offset + msg.source];
        match msg.event {
            LogEvent::Lines(lines) => {
                for line in &lines {
                    if print.prefix {
                        let _ = write!(out, "[pod/{}/{}] ", print.pod, container);
                    }
                    let bytes = if print.timestamps {
                        &line.raw[..]
                    } else {
                        line.body()
                    };
                    let _ = out.write_all(bytes);
                    let _ = out.write_all(b"\n");
                }
                if let Err(e) = out.flush() {
                    if e.kind() == std::io::ErrorKind::BrokenPipe {
                        return Drained::PipeClosed;
                    }
                    let message = format!("cannot write the log: {e}");
                    return Drained::Done(Some(Failure::runtime(message)));
                }
            }
            LogEvent::Restarted(text) | LogEvent::Note(text) => {
                let _ = out.flush();
                if print.containers.len() > 1 {
                    eprintln!("[{container}] {text}");
                } else {
                    eprintln!("{text}");
                }
            }
            LogEvent::Ended(reason) => {
                if !reason.is_empty() {
                    let _ = out.flush();
                    eprintln!("{reason}");
                }
            }
            LogEvent::Failed(f) => {
                let _ = out.flush();
                failure = failure.or(Some(kubectl_failure(&f)));
            }
        }
    }
    let _ = out.flush();
    Drained::Done(failure)
}

/// A Go duration as kubectl's `--since` takes it (`30s`, `5m`, `1h30m`, `1.5h`), in whole
/// seconds (at least one).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("time: invalid duration {text:?}"))?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            unit => return Err(format!("time: unknown unit {unit:?} in duration {text:?}")),
        };
        rest = &rest[unit_len..];
        total += number * scale;
    }
    Ok((total.round() as i64).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("5m"), Ok(300));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("1.5h"), Ok(5400));
        assert_eq!(parse_duration("10ms"), Ok(1));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
    }
}
