//! The user's config file, `$XDG_CONFIG_HOME/podscope/config.toml` (or
//! `~/.config/podscope/config.toml`; `PODSCOPE_CONFIG` names another file). Today it holds role
//! rules:
//!
//! ```toml
//! [[roles]]
//! image = "mycorp/log-forwarder*"   # glob over the image path without registry and tag
//! role = "sidecar"
//!
//! [[roles]]
//! name = "*-relay"                  # glob over the container name
//! role = "ambassador"
//!
//! theme = "light"                   # a built-in theme or a path to a theme file
//! log_lines = 200000                # lines a log view keeps (default 100000)
//! debug_image = "nicolaka/netshoot" # image of debug containers (default busybox)
//! ascii = true                      # draw the pod diagram with ASCII only (default false)
//! mouse = false                     # no mouse in the TUI (default true)
//! ```
//!
//! (Top-level keys go before the first `[[roles]]` table, as TOML wants.)
//!
//! or, to pick a theme and change some of its colours:
//!
//! ```toml
//! [theme]
//! name = "catppuccin-mocha"
//! [theme.roles]
//! sidecar = "#a6e3a1"
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config_keys::{KEYS, ROLE_FIELDS, unknown};
use crate::model::{ContainerRole, RoleRule};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Config {
    pub role_rules: Vec<RoleRule>,
    pub theme: ThemeChoice,
    /// Lines a log view keeps before dropping the oldest (`log_lines`).
    pub log_lines: Option<usize>,
    /// The image of debug containers (`debug_image`).
    pub debug_image: Option<String>,
    /// Draw the pod diagram with ASCII only (`ascii`).
    pub ascii: bool,
    /// The mouse in the TUI (`mouse`; on when unset).
    pub mouse: Option<bool>,
}

/// The config file's theme: a name or path, and slot overrides (a table shaped like a theme
/// file, any subset of its slots).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ThemeChoice {
    pub name: Option<String>,
    pub overrides: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    roles: Vec<RawRule>,
    /// A theme name or path, or a table with `name` and slot overrides.
    #[serde(default)]
    theme: Option<toml::Value>,
    log_lines: Option<usize>,
    debug_image: Option<String>,
    ascii: Option<bool>,
    mouse: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    image: Option<String>,
    name: Option<String>,
    role: String,
}

#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config file {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Where the config file is looked for.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PODSCOPE_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("podscope").join("config.toml"))
}

/// Load the config file; a missing file is an empty config.
pub fn load() -> Result<Config, ConfigError> {
    match config_path() {
        Some(path) => load_from(&path),
        None => Ok(Config::default()),
    }
}

pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(ConfigError {
                path: path.to_path_buf(),
                message: e.to_string(),
            });
        }
    };
    parse(&text).map_err(|message| ConfigError {
        path: path.to_path_buf(),
        message,
    })
}

/// The line a top-level key (or table) is set on, for the error.
fn line_of(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| {
        let l = l.trim_start().trim_start_matches('[');
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(['=', ']', '.']))
    })
}

/// Keys the file sets that podscope does not know, each with the nearest known one.
fn unknown_keys(text: &str) -> Result<(), String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        // Not TOML: the parse below says where.
        return Ok(());
    };
    let known: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            let at = line_of(text, key).map_or(String::new(), |l| format!("line {}: ", l + 1));
            return Err(format!("{at}{}", unknown("key", key, &known)));
        }
    }
    if let Some(toml::Value::Array(rules)) = table.get("roles") {
        for (i, rule) in rules.iter().enumerate() {
            let Some(rule) = rule.as_table() else {
                continue;
            };
            if let Some(field) = rule.keys().find(|k| !ROLE_FIELDS.contains(&k.as_str())) {
                return Err(format!(
                    "roles[{i}]: {}",
                    unknown("field", field, ROLE_FIELDS)
                ));
            }
        }
    }
    Ok(())
}

/// Parse config text; the error says where and what.
pub fn parse(text: &str) -> Result<Config, String> {
    unknown_keys(text)?;
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let position = e.span().map(|s| {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: ")
        });
        format!("{}{}", position.unwrap_or_default(), e.message())
    })?;
    let mut role_rules = Vec::new();
    for (i, rule) in raw.roles.into_iter().enumerate() {
        let role = ContainerRole::parse(&rule.role)
            .filter(|r| r.is_pattern_helper() || *r == ContainerRole::Main)
            .ok_or_else(|| {
                format!(
                    "roles[{i}]: unknown role {:?} (use main, sidecar, adapter or ambassador)",
                    rule.role
                )
            })?;
        if rule.image.is_none() && rule.name.is_none() {
            return Err(format!("roles[{i}]: give an image or a name pattern"));
        }
        role_rules.push(RoleRule {
            image: rule.image,
            name: rule.name,
            role,
        });
    }
    let theme = match raw.theme {
        None => ThemeChoice::default(),
        Some(toml::Value::String(name)) => ThemeChoice {
            name: Some(name),
            overrides: None,
        },
        Some(toml::Value::Table(mut table)) => {
            let name = match table.remove("name") {
                None => None,
                Some(toml::Value::String(n)) => Some(n),
                Some(other) => {
                    return Err(format!(
                        "theme.name: expected a theme name or path, found a {}",
                        other.type_str()
                    ));
                }
            };
            ThemeChoice {
                name,
                overrides: Some(table),
            }
        }
        Some(other) => {
            return Err(format!(
                "theme: expected a theme name, a path or a [theme] table, found a {}",
                other.type_str()
            ));
        }
    };
    if let Some(n) = raw.log_lines.filter(|n| *n < 100) {
        return Err(format!(
            "log_lines: {n} is too few to read a log (at least 100)"
        ));
    }
    Ok(Config {
        role_rules,
        theme,
        log_lines: raw.log_lines,
        debug_image: raw.debug_image.filter(|i| !i.trim().is_empty()),
        ascii: raw.ascii.unwrap_or(false),
        mouse: raw.mouse,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_errors_say_where() {
        let c = parse("[[roles]]\nimage = \"corp/*\"\nrole = \"sidecar\"\n").unwrap();
        assert_eq!(c.role_rules[0].role, ContainerRole::Sidecar);
        assert!(
            parse("[[roles]]\nname = \"x\"\nrole = \"boss\"\n")
                .unwrap_err()
                .contains("unknown role \"boss\"")
        );
        assert!(
            parse("[[roles]]\nrole = \"main\"\n")
                .unwrap_err()
                .contains("give an image or a name")
        );
        assert!(parse("[[roles]\n").unwrap_err().starts_with("line 1: "));
    }

    #[test]
    fn unknown_keys_name_the_line_and_the_key_meant() {
        assert_eq!(
            parse("theme = \"light\"\nlog_line = 500\n").unwrap_err(),
            "line 2: unknown key `log_line` (did you mean `log_lines`?)"
        );
        assert_eq!(
            parse("[[roles]]\nimagee = \"x\"\nrole = \"main\"\n").unwrap_err(),
            "roles[0]: unknown field `imagee` (did you mean `image`?)"
        );
        assert_eq!(parse("mouse = false\n").unwrap().mouse, Some(false));
    }

    #[test]
    fn theme_by_name_or_table_with_overrides() {
        assert_eq!(
            parse("theme = \"light\"\n").unwrap().theme.name.as_deref(),
            Some("light")
        );
        let c = parse("[theme]\nname = \"dark\"\n[theme.roles]\nmain = \"#ffffff\"\n").unwrap();
        assert_eq!(c.theme.name.as_deref(), Some("dark"));
        let overrides = c.theme.overrides.unwrap();
        assert_eq!(overrides["roles"]["main"].as_str(), Some("#ffffff"));
        assert!(
            parse("theme = 3\n")
                .unwrap_err()
                .contains("theme: expected")
        );
    }
}
