//! Facts read off one container's spec: what its shell script writes and reads, which
//! `localhost` ports it talks to, which ports it listens on, which outside hosts it names.
//! Heuristic by nature; every fact keeps the text that produced it for the evidence.

mod network;

pub use network::{LocalhostRef, listen_ports, localhost_refs, outside_hosts};

use crate::model::pod::{Container, VolumeMount};

/// Files a container's command writes and reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileAccess {
    pub writes: Vec<String>,
    pub reads: Vec<String>,
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];
const KEYWORDS: &[&str] = &[
    "do", "then", "else", "elif", "while", "until", "if", "!", "{", "(", "exec", "time", "nohup",
    "done", "fi",
];
const READERS: &[&str] = &[
    "cat",
    "tail",
    "head",
    "grep",
    "egrep",
    "fgrep",
    "less",
    "more",
    "awk",
    "sed",
    "wc",
    "cut",
    "sort",
    "uniq",
    "md5sum",
    "sha256sum",
    "diff",
    "nl",
    "tac",
    "od",
    "xxd",
    "jq",
    "ls",
    "find",
    "stat",
    "test",
    "[",
];
const WRITERS: &[&str] = &["tee", "touch", "mkdir"];
/// Programs whose last path argument is where they write: copiers, and the cloud CLIs'
/// `sync`/`cp`/`mirror` (`aws s3 sync s3://bucket /data`, `gsutil rsync`, `rclone sync`).
const COPIERS: &[&str] = &[
    "cp", "mv", "rsync", "ln", "aws", "gsutil", "gcloud", "rclone", "mc", "azcopy", "s3cmd",
];

/// The program text a container runs: the script of `sh -c SCRIPT`, else its argv joined.
pub fn program_text(c: &Container) -> String {
    let argv: Vec<&str> = c.argv().collect();
    for (i, word) in argv.iter().enumerate() {
        let base = word.rsplit('/').next().unwrap_or(word);
        let next = argv.get(i + 1).copied().unwrap_or("");
        if SHELLS.contains(&base) && next.starts_with('-') && next.contains('c') {
            return argv.get(i + 2).copied().unwrap_or("").to_string();
        }
    }
    argv.join(" ")
}

/// The simple commands of a shell script, each as its words from the program on (keywords
/// such as `do`, `exec` and variable assignments before it dropped).
pub fn script_commands(script: &str) -> Vec<Vec<&str>> {
    script
        .split(['\n', ';', '|', '&'])
        .filter_map(|command| {
            let words: Vec<&str> = command
                .split_whitespace()
                .map(unquote)
                .filter(|w| !w.is_empty())
                .collect();
            let skip = words
                .iter()
                .take_while(|w| KEYWORDS.contains(w) || is_assignment(w))
                .count();
            (skip < words.len()).then(|| words[skip..].to_vec())
        })
        .collect()
}

/// Whether a container's command does nothing but keep it running: `sleep infinity`, a loop
/// of `sleep`, `tail -f /dev/null`, `trap ...; sleep & wait`. A loop that prints something
/// does something.
pub fn is_idle(c: &Container) -> bool {
    const KEEP_ALIVE: &[&str] = &["sleep", "wait", "pause"];
    const HARMLESS: &[&str] = &["trap", "true", ":", "exec", "while", "done", "do"];
    let script = program_text(c);
    let commands = script_commands(&script);
    let mut keeps_alive = false;
    for words in &commands {
        let program = words[0].rsplit('/').next().unwrap_or(words[0]);
        let tail_null = program == "tail" && words.contains(&"/dev/null");
        // Saying something once on the way (`echo image pulled && sleep infinity`) is still
        // idle; writing it into a file, or saying it over and over in a loop, is output.
        let says = matches!(program, "echo" | "printf")
            && !words.iter().any(|w| w.contains('>'))
            && !script
                .split(|ch: char| ch.is_whitespace() || ch == ';')
                .any(|w| matches!(w, "while" | "for" | "until"));
        if KEEP_ALIVE.contains(&program) || tail_null {
            keeps_alive = true;
        } else if !HARMLESS.contains(&program) && !says {
            return false;
        }
    }
    keeps_alive
}

/// Paths a shell script writes (redirections, `tee`, `cp` targets...) and reads (`cat`,
/// `tail`...). Only absolute paths are considered.
pub fn file_access(script: &str) -> FileAccess {
    let mut access = FileAccess::default();
    for words in script_commands(script) {
        let program = words[0].rsplit('/').next().unwrap_or(words[0]);
        let mut paths = Vec::new();
        let mut redirect_next = false;
        for word in &words[1..] {
            if redirect_next {
                push_path(&mut access.writes, word);
                redirect_next = false;
                continue;
            }
            if let Some(pos) = word.find('>') {
                let target = word[pos..].trim_start_matches('>');
                if target.is_empty() {
                    redirect_next = true;
                } else {
                    push_path(&mut access.writes, target);
                }
                continue;
            }
            if let Some(target) = word.strip_prefix("of=") {
                push_path(&mut access.writes, target);
            } else if let Some(source) = word.strip_prefix("if=") {
                push_path(&mut access.reads, source);
            } else if word.starts_with('/') {
                paths.push(*word);
            }
        }
        if READERS.contains(&program) {
            paths.iter().for_each(|p| push_path(&mut access.reads, p));
        } else if WRITERS.contains(&program) {
            paths.iter().for_each(|p| push_path(&mut access.writes, p));
        } else if (COPIERS.contains(&program) || program == "git")
            && let Some((last, sources)) = paths.split_last()
        {
            push_path(&mut access.writes, last);
            sources.iter().for_each(|p| push_path(&mut access.reads, p));
        }
    }
    access
}

pub(super) fn unquote(word: &str) -> &str {
    word.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .trim_end_matches([';', ')'])
        .trim_matches(|c| c == '"' || c == '\'')
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn push_path(list: &mut Vec<String>, path: &str) {
    let path = unquote(path);
    if path.starts_with('/') && !path.starts_with("/dev/") && !list.iter().any(|p| p == path) {
        list.push(path.to_string());
    }
}

/// The mount a path falls under, longest mount path first.
pub fn mount_for_path<'a>(c: &'a Container, path: &str) -> Option<&'a VolumeMount> {
    c.mounts
        .iter()
        .filter(|m| {
            let root = m.path.trim_end_matches('/');
            path == root
                || path
                    .strip_prefix(root)
                    .is_some_and(|rest| rest.starts_with('/'))
                || root.is_empty()
        })
        .max_by_key(|m| m.path.trim_end_matches('/').len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_and_readers() {
        let a = file_access(
            r#"i=0; while true; do echo "$i: $(date)" >> /var/log/1.log; echo "$(date) INFO $i" >>/var/log/2.log; i=$((i+1)); sleep 1; done"#,
        );
        assert_eq!(a.writes, ["/var/log/1.log", "/var/log/2.log"]);
        assert!(a.reads.is_empty());
        let a = file_access(
            "while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done",
        );
        assert_eq!(
            a.reads,
            ["/var/log/nginx/access.log", "/var/log/nginx/error.log"]
        );
        let a = file_access("tail -n+1 -F /var/log/1.log | tee -a /data/out.log");
        assert_eq!(a.reads, ["/var/log/1.log"]);
        assert_eq!(a.writes, ["/data/out.log"]);
        let a = file_access("cp /config/app.conf /work/app.conf");
        assert_eq!(
            (a.reads.as_slice(), a.writes.as_slice()),
            (
                &["/config/app.conf".to_string()][..],
                &["/work/app.conf".to_string()][..]
            )
        );
        let a = file_access("echo hi 2>/dev/null");
        assert!(a.writes.is_empty());
    }
}
