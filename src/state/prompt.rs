//! The one-line prompt at the bottom: `/` for the filter, `:` for commands, with completion.

/// What the prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Filter,
    Command,
    /// `/` in the log view.
    LogSearch,
    /// `&` in the log view.
    LogFilter,
    /// `/` in the YAML view.
    YamlSearch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `:ns NAME`, `:ns all` (or `-A`, `*`).
    Namespace(Option<String>),
    /// `:ctx NAME`.
    Context(String),
    Quit,
    Help,
    /// `:exec CMD ARGS...` in the chosen container.
    Exec(Vec<String>),
}

/// Parse a command line; the error says what is accepted.
pub fn parse_command(text: &str) -> Result<Command, String> {
    if let Some(rest) = text.trim_start().strip_prefix("exec")
        && (rest.is_empty() || rest.starts_with(' '))
    {
        let argv = split_words(rest)?;
        if argv.is_empty() {
            return Err(":exec needs a command, e.g. :exec ls -l /var/log".into());
        }
        return Ok(Command::Exec(argv));
    }
    let mut words = text.split_whitespace();
    let verb = words.next().unwrap_or("");
    let arg = words.next();
    if words.next().is_some() {
        return Err(format!(":{text}: too many words"));
    }
    match (verb, arg) {
        ("ns" | "namespace" | "namespaces", Some("all" | "-A" | "*")) => {
            Ok(Command::Namespace(None))
        }
        ("ns" | "namespace" | "namespaces", Some(ns)) => Ok(Command::Namespace(Some(ns.into()))),
        ("ns" | "namespace" | "namespaces", None) => {
            Err(":ns needs a namespace (or all); Tab completes".into())
        }
        ("ctx" | "context", Some(ctx)) => Ok(Command::Context(ctx.into())),
        ("ctx" | "context", None) => Err(":ctx needs a context name; Tab completes".into()),
        ("q" | "q!" | "quit", None) => Ok(Command::Quit),
        ("help" | "?", None) => Ok(Command::Help),
        _ => Err(format!(
            "unknown command :{text} (try :ns NAME, :ns all, :ctx NAME, :exec CMD, :q)"
        )),
    }
}

/// Split a command line into words as a POSIX shell would for plain words and quotes
/// ('...' literal, "..." with \" and \\, backslash escapes outside quotes).
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("unterminated ' in the command".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => w.push(c),
                            Some(c) => {
                                w.push('\\');
                                w.push(c);
                            }
                            None => return Err("unterminated \" in the command".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("unterminated \" in the command".into()),
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(String::new);
                if let Some(c) = chars.next() {
                    w.push(c);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// What Tab can complete the command line to: the verb, or the argument from `namespaces`
/// and `contexts`. Returns the candidates matching what is typed.
pub fn candidates(text: &str, namespaces: &[String], contexts: &[String]) -> Vec<String> {
    let (verb, arg) = match text.split_once(' ') {
        Some((v, a)) => (v, Some(a.trim_start())),
        None => (text, None),
    };
    match arg {
        None => ["ns", "ctx", "exec", "q"]
            .iter()
            .filter(|v| v.starts_with(verb))
            .map(|v| v.to_string())
            .collect(),
        Some(arg) => {
            let pool: Vec<&String> = match verb {
                "ns" | "namespace" => namespaces.iter().collect(),
                "ctx" | "context" => contexts.iter().collect(),
                _ => Vec::new(),
            };
            let mut out: Vec<String> = pool
                .into_iter()
                .filter(|c| c.starts_with(arg))
                .cloned()
                .collect();
            if matches!(verb, "ns" | "namespace") && "all".starts_with(arg) {
                out.insert(0, "all".to_string());
            }
            out
        }
    }
}

/// Complete `text` as far as the candidates agree.
pub fn complete(text: &str, namespaces: &[String], contexts: &[String]) -> String {
    let found = candidates(text, namespaces, contexts);
    let Some(first) = found.first() else {
        return text.to_string();
    };
    let common = found.iter().fold(first.clone(), |acc, c| {
        acc.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    let verb_only = !text.contains(' ');
    match text.split_once(' ') {
        None if found.len() == 1 && verb_only => format!("{common} "),
        None => common,
        Some((verb, _)) => format!("{verb} {common}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse_command("ns kube-system"),
            Ok(Command::Namespace(Some("kube-system".into())))
        );
        assert_eq!(parse_command("ns all"), Ok(Command::Namespace(None)));
        assert_eq!(
            parse_command("ctx prod"),
            Ok(Command::Context("prod".into()))
        );
        assert_eq!(parse_command("q"), Ok(Command::Quit));
        assert!(
            parse_command("frobnicate")
                .unwrap_err()
                .contains("unknown command")
        );
        assert!(
            parse_command("ns")
                .unwrap_err()
                .contains("needs a namespace")
        );
    }

    #[test]
    fn exec_command_words() {
        assert_eq!(
            parse_command("exec ls -l /var/log"),
            Ok(Command::Exec(vec![
                "ls".into(),
                "-l".into(),
                "/var/log".into()
            ]))
        );
        assert_eq!(
            parse_command(r#"exec sh -c 'echo "a b"; exit 3'"#),
            Ok(Command::Exec(vec![
                "sh".into(),
                "-c".into(),
                r#"echo "a b"; exit 3"#.into()
            ]))
        );
        assert_eq!(
            split_words(r#"a\ b "c \"d\"" ''"#),
            Ok(vec!["a b".into(), r#"c "d""#.into(), "".into()])
        );
        assert!(
            parse_command("exec")
                .unwrap_err()
                .contains("needs a command")
        );
        assert!(parse_command("exec 'oops").is_err());
        assert!(parse_command("execute").unwrap_err().contains("unknown"));
    }

    #[test]
    fn completion() {
        let ns = vec![
            "default".to_string(),
            "demo".to_string(),
            "kube-system".to_string(),
        ];
        let ctx = vec!["prod".to_string(), "staging".to_string()];
        assert_eq!(complete("n", &ns, &ctx), "ns ");
        assert_eq!(complete("ns k", &ns, &ctx), "ns kube-system");
        assert_eq!(complete("ns de", &ns, &ctx), "ns de");
        assert_eq!(candidates("ns de", &ns, &ctx), vec!["default", "demo"]);
        assert_eq!(complete("ctx s", &ns, &ctx), "ctx staging");
        assert_eq!(complete("ns zz", &ns, &ctx), "ns zz");
    }
}
