//! Themes: semantic colour slots (one per role, per container state, and for the parts of
//! the screen), read from TOML. The built-ins in `themes/` are embedded in the binary; a theme
//! can also be a file path, and the user's config can override any slot. `NO_COLOR` gives
//! [`Theme::monochrome`]. Components ask the theme; they never name a colour.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

use crate::model::ContainerRole;

/// The built-in themes, by name: (name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    (
        "catppuccin-mocha",
        include_str!("../../themes/catppuccin-mocha.toml"),
    ),
];

pub const DEFAULT: &str = "dark";

/// A colour as written in a theme file: `#rrggbb`, a terminal colour name, or an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(pub Color);

impl<'de> Deserialize<'de> for Slot {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::from_str(text.trim()).map(Slot).map_err(|_| {
            serde::de::Error::custom(format!(
                "{text:?} is not a colour (use #rrggbb or a name like \"red\")"
            ))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleColors {
    pub main: Slot,
    pub sidecar: Slot,
    pub adapter: Slot,
    pub ambassador: Slot,
    pub init: Slot,
    pub native_sidecar: Slot,
    pub ephemeral: Slot,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateColors {
    pub running: Slot,
    pub waiting: Slot,
    pub completed: Slot,
    pub failed: Slot,
    pub crashloop: Slot,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiColors {
    pub text: Slot,
    pub muted: Slot,
    pub border: Slot,
    pub border_focused: Slot,
    pub title: Slot,
    pub selection_fg: Slot,
    pub selection_bg: Slot,
    pub error: Slot,
    pub warning: Slot,
    pub match_fg: Slot,
    pub match_bg: Slot,
    /// Volumes shared by two or more containers.
    pub shared: Slot,
}

/// Every slot is required: a theme that parses fills the whole screen.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub name: String,
    pub roles: RoleColors,
    pub states: StateColors,
    pub ui: UiColors,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError(pub String);

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ThemeError {}

impl Theme {
    /// A theme by built-in name or file path, with the user's slot overrides on top
    /// (a table shaped like a theme file, any subset of its slots).
    pub fn load(name_or_path: &str, overrides: Option<&toml::Table>) -> Result<Theme, ThemeError> {
        let (origin, text) = match BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
            Some((name, text)) => (format!("built-in theme {name}"), (*text).to_string()),
            None if Path::new(name_or_path).exists() => (
                name_or_path.to_string(),
                std::fs::read_to_string(name_or_path)
                    .map_err(|e| ThemeError(format!("cannot read theme {name_or_path}: {e}")))?,
            ),
            None => {
                let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                return Err(ThemeError(format!(
                    "no theme named {name_or_path:?}: use one of {} or a path to a .toml file",
                    names.join(", ")
                )));
            }
        };
        let mut table: toml::Table =
            toml::from_str(&text).map_err(|e| ThemeError(format!("{origin}: {e}")))?;
        if let Some(overrides) = overrides {
            merge(&mut table, overrides);
        }
        Theme::deserialize(table).map_err(|e| ThemeError(format!("{origin}: {e}")))
    }

    pub fn builtin(name: &str) -> Option<Theme> {
        BUILTIN
            .iter()
            .any(|(n, _)| *n == name)
            .then(|| Theme::load(name, None).ok())?
    }

    /// No colours at all (`NO_COLOR`): components fall back on bold and reverse video.
    pub fn monochrome() -> Theme {
        let r = Slot(Color::Reset);
        Theme {
            name: "monochrome".into(),
            roles: RoleColors {
                main: r,
                sidecar: r,
                adapter: r,
                ambassador: r,
                init: r,
                native_sidecar: r,
                ephemeral: r,
            },
            states: StateColors {
                running: r,
                waiting: r,
                completed: r,
                failed: r,
                crashloop: r,
            },
            ui: UiColors {
                text: r,
                muted: r,
                border: r,
                border_focused: r,
                title: r,
                selection_fg: r,
                selection_bg: r,
                error: r,
                warning: r,
                match_fg: r,
                match_bg: r,
                shared: r,
            },
        }
    }

    pub fn is_monochrome(&self) -> bool {
        self.ui.selection_bg.0 == Color::Reset
    }

    /// A container's colour: by role, with native sidecars (init containers that keep
    /// running) set apart.
    pub fn role(&self, role: ContainerRole, native_sidecar: bool) -> Color {
        let r = &self.roles;
        if native_sidecar {
            return r.native_sidecar.0;
        }
        match role {
            ContainerRole::Main => r.main.0,
            ContainerRole::Sidecar => r.sidecar.0,
            ContainerRole::Adapter => r.adapter.0,
            ContainerRole::Ambassador => r.ambassador.0,
            ContainerRole::Init => r.init.0,
            ContainerRole::Ephemeral => r.ephemeral.0,
        }
    }
}

/// Overlay `top` onto `base`, table by table.
fn merge(base: &mut toml::Table, top: &toml::Table) {
    for (key, value) in top {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_parses_and_fills_every_slot() {
        for (name, _) in BUILTIN {
            let theme = Theme::load(name, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(&theme.name, name);
            assert!(!theme.is_monochrome());
        }
        assert!(Theme::builtin(DEFAULT).is_some());
    }

    #[test]
    fn overrides_replace_single_slots_and_bad_values_are_named() {
        let overrides: toml::Table = toml::from_str("[roles]\nmain = \"#ff0000\"").unwrap();
        let theme = Theme::load("light", Some(&overrides)).unwrap();
        assert_eq!(
            theme.role(ContainerRole::Main, false),
            Color::Rgb(255, 0, 0)
        );
        assert_eq!(
            theme.roles.sidecar,
            Theme::builtin("light").unwrap().roles.sidecar
        );
        let bad: toml::Table = toml::from_str("[ui]\ntext = \"chartreuse-ish\"").unwrap();
        let err = Theme::load("dark", Some(&bad)).unwrap_err();
        assert!(
            err.0.contains("\"chartreuse-ish\" is not a colour"),
            "{err}"
        );
        let unknown: toml::Table = toml::from_str("[ui]\nbackground = \"red\"").unwrap();
        assert!(
            Theme::load("dark", Some(&unknown))
                .unwrap_err()
                .0
                .contains("unknown field")
        );
        assert!(
            Theme::load("nope", None)
                .unwrap_err()
                .0
                .contains("use one of dark, light")
        );
    }

    #[test]
    fn a_theme_file_can_be_a_path() {
        let path = std::env::temp_dir().join(format!("podscope-theme-{}.toml", std::process::id()));
        std::fs::write(
            &path,
            BUILTIN[0].1.replace("name = \"dark\"", "name = \"mine\""),
        )
        .unwrap();
        let theme = Theme::load(path.to_str().unwrap(), None).unwrap();
        assert_eq!(theme.name, "mine");
        std::fs::remove_file(path).unwrap();
    }
}
