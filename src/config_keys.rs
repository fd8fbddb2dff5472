//! Every config key in one place: its default, the flag and environment variable that
//! override it, and what it does. `podscope config` prints the effective values from this
//! table, the README's table of keys is checked against it, and an unknown key in the file is
//! reported with the nearest known one.

/// One key of `config.toml`.
pub struct KeyDoc {
    pub key: &'static str,
    pub default: &'static str,
    /// The command-line flag that overrides the file, if any.
    pub flag: Option<&'static str>,
    /// The environment variable that overrides the file, if any.
    pub env: Option<&'static str>,
    pub about: &'static str,
}

pub const KEYS: &[KeyDoc] = &[
    KeyDoc {
        key: "theme",
        default: "dark",
        flag: Some("--theme"),
        env: Some("NO_COLOR"),
        about: "a built-in theme (dark, light, high-contrast, catppuccin-mocha) or a theme file; a [theme] table with `name` and slot overrides; NO_COLOR set means monochrome unless --theme is given",
    },
    KeyDoc {
        key: "log_lines",
        default: "100000",
        flag: None,
        env: None,
        about: "lines a log view keeps before dropping the oldest (at least 100)",
    },
    KeyDoc {
        key: "debug_image",
        default: "busybox",
        flag: Some("--debug-image"),
        env: None,
        about: "the image of debug containers (d)",
    },
    KeyDoc {
        key: "ascii",
        default: "false",
        flag: Some("--ascii"),
        env: None,
        about: "draw the pod diagram with ASCII only",
    },
    KeyDoc {
        key: "mouse",
        default: "true",
        flag: Some("--no-mouse"),
        env: None,
        about: "click, double-click and the wheel in the TUI (hold Shift to select text)",
    },
    KeyDoc {
        key: "roles",
        default: "none",
        flag: None,
        env: None,
        about: "[[roles]] rules: `image` and/or `name` globs and the `role` (main, sidecar, adapter, ambassador) to give matching containers",
    },
];

/// The fields of a `[[roles]]` rule.
pub const ROLE_FIELDS: &[&str] = &["image", "name", "role"];

/// Levenshtein distance, for suggestions.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// The known word nearest to `word`, when it is near enough to be what was meant.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (distance(&word.to_lowercase(), k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

/// "unknown key `log_line` (did you mean `log_lines`?)", or with every key listed.
pub fn unknown(what: &str, word: &str, known: &[&str]) -> String {
    match nearest(word, known) {
        Some(k) => format!("unknown {what} `{word}` (did you mean `{k}`?)"),
        None => format!(
            "unknown {what} `{word}`; known: {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What the command line says about the keys (`podscope config` takes the TUI's flags).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    pub theme: Option<String>,
    pub debug_image: Option<String>,
    pub ascii: bool,
    pub no_mouse: bool,
}

/// Every key with its effective value, its default and where the value came from.
pub fn effective(
    config: &crate::config::Config,
    file: &str,
    flags: &Flags,
    no_color: bool,
) -> Vec<(&'static KeyDoc, String, String)> {
    let from_file = || format!("file {file}");
    KEYS.iter()
        .map(|k| {
            let (value, from) = match k.key {
                "theme" => match (&flags.theme, &config.theme.name) {
                    (Some(t), _) => (t.clone(), "flag --theme".to_string()),
                    (None, _) if no_color => {
                        ("monochrome".to_string(), "environment NO_COLOR".to_string())
                    }
                    (None, Some(t)) => (t.clone(), from_file()),
                    (None, None) if config.theme.overrides.is_some() => {
                        (format!("{} (with overrides)", k.default), from_file())
                    }
                    (None, None) => (k.default.to_string(), "default".to_string()),
                },
                "log_lines" => match config.log_lines {
                    Some(n) => (n.to_string(), from_file()),
                    None => (k.default.to_string(), "default".to_string()),
                },
                "debug_image" => match (&flags.debug_image, &config.debug_image) {
                    (Some(i), _) => (i.clone(), "flag --debug-image".to_string()),
                    (None, Some(i)) => (i.clone(), from_file()),
                    (None, None) => (k.default.to_string(), "default".to_string()),
                },
                "ascii" => match (flags.ascii, config.ascii) {
                    (true, _) => ("true".to_string(), "flag --ascii".to_string()),
                    (false, true) => ("true".to_string(), from_file()),
                    (false, false) => (k.default.to_string(), "default".to_string()),
                },
                "mouse" => match (flags.no_mouse, config.mouse) {
                    (true, _) => ("false".to_string(), "flag --no-mouse".to_string()),
                    (false, Some(m)) => (m.to_string(), from_file()),
                    (false, None) => (k.default.to_string(), "default".to_string()),
                },
                "roles" => match config.role_rules.len() {
                    0 => (k.default.to_string(), "default".to_string()),
                    1 => ("1 rule".to_string(), from_file()),
                    n => (format!("{n} rules"), from_file()),
                },
                _ => (k.default.to_string(), "default".to_string()),
            };
            (k, value, from)
        })
        .collect()
}

/// `podscope config`'s table: KEY, VALUE, DEFAULT, FROM, then what each key does.
pub fn render(rows: &[(&'static KeyDoc, String, String)], file_line: &str) -> String {
    let mut out = format!("{file_line}\n\n");
    let width = |pick: &dyn Fn(&(&KeyDoc, String, String)) -> usize, title: usize| {
        rows.iter().map(pick).max().unwrap_or(0).max(title) + 2
    };
    let (kw, vw, dw) = (
        width(&|r| r.0.key.len(), 3),
        width(&|r| r.1.chars().count(), 5),
        width(&|r| r.0.default.len(), 7),
    );
    out.push_str(&format!(
        "{:kw$}{:vw$}{:dw$}FROM\n",
        "KEY", "VALUE", "DEFAULT"
    ));
    for (k, value, from) in rows {
        out.push_str(&format!(
            "{:kw$}{:vw$}{:dw$}{from}\n",
            k.key, value, k.default
        ));
    }
    out.push('\n');
    for (k, _, _) in rows {
        let overrides: Vec<String> = k
            .flag
            .map(|f| format!("flag {f}"))
            .into_iter()
            .chain(k.env.map(|e| format!("environment {e}")))
            .collect();
        let over = if overrides.is_empty() {
            String::new()
        } else {
            format!(" [{}]", overrides.join(", "))
        };
        out.push_str(&format!("{}: {}{over}\n", k.key, k.about));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_near_miss_names_the_key_meant() {
        let keys: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
        assert_eq!(nearest("log_line", &keys), Some("log_lines"));
        assert_eq!(nearest("debugimage", &keys), Some("debug_image"));
        assert_eq!(nearest("Theme", &keys), Some("theme"));
        assert_eq!(nearest("colour", &keys), None);
        assert!(unknown("key", "colour", &keys).contains("known: `theme`"));
    }

    #[test]
    fn each_value_says_where_it_came_from() {
        let config = crate::config::parse("log_lines = 5000\nmouse = false\n").unwrap();
        let flags = Flags {
            theme: Some("light".into()),
            ..Default::default()
        };
        let rows = effective(
            &config,
            "/home/u/.config/podscope/config.toml",
            &flags,
            false,
        );
        let row = |key: &str| {
            let (_, v, f) = rows.iter().find(|r| r.0.key == key).unwrap();
            (v.as_str(), f.as_str())
        };
        assert_eq!(row("theme"), ("light", "flag --theme"));
        assert_eq!(
            row("log_lines"),
            ("5000", "file /home/u/.config/podscope/config.toml")
        );
        assert_eq!(row("mouse").0, "false");
        assert_eq!(row("ascii"), ("false", "default"));
        assert_eq!(rows.len(), KEYS.len());
        let text = render(&rows, "file: x");
        assert!(text.contains("KEY"), "{text}");
        assert!(text.contains("mouse: click"), "{text}");
        let no_color = effective(
            &crate::config::Config::default(),
            "x",
            &Flags::default(),
            true,
        );
        assert_eq!(no_color[0].1, "monochrome");
    }
}
