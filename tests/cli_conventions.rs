//! What a user expects of a command-line tool, through the real binary: completion scripts
//! for each shell, a manual page, `podscope config` saying where each value came from, a typo
//! in the config file named with the key meant, and the README's table of keys complete.

use std::path::Path;
use std::process::{Command, Output};

use podscope::config_keys::KEYS;

fn podscope(args: &[&str], config: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_podscope"));
    cmd.args(args).env_remove("NO_COLOR");
    match config {
        Some(path) => cmd.env("PODSCOPE_CONFIG", path),
        None => cmd.env("PODSCOPE_CONFIG", "/nonexistent/podscope/config.toml"),
    };
    cmd.output().expect("podscope runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn completions_know_the_subcommands_and_flags_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef podscope"),
        ("fish", "complete -c podscope"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer"),
    ] {
        let out = podscope(&["completion", shell], None);
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script:.300}");
        for word in [
            "describe",
            "demo",
            "logs",
            "exec",
            "completion",
            "config",
            "all-namespaces",
            "no-mouse",
        ] {
            assert!(script.contains(word), "{shell} completes {word}");
        }
    }
    let out = podscope(&["completion", "tcsh"], None);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is bad usage");
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let out = podscope(&["man"], None);
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH podscope"),
        "{page:.200}"
    );
    for word in ["describe", "demo", "completion", "config", "\\-\\-readonly"] {
        assert!(page.contains(word), "the page mentions {word}");
    }
}

#[test]
fn config_prints_every_key_with_its_value_default_and_source() {
    let dir = std::env::temp_dir().join(format!("podscope-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(&file, "log_lines = 5000\nmouse = false\n").unwrap();
    let out = podscope(&["config", "--theme", "light"], Some(&file));
    assert!(out.status.success(), "{out:?}");
    let text = stdout(&out);
    let row = |key: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no row for {key}: {text}"))
            .to_string()
    };
    assert!(row("theme").contains("light") && row("theme").ends_with("flag --theme"));
    assert!(
        row("log_lines").contains("5000") && row("log_lines").contains(&file.display().to_string())
    );
    assert!(row("mouse").contains("false"));
    assert!(row("ascii").ends_with("default"));
    for k in KEYS {
        row(k.key);
    }
    assert!(
        text.contains(&format!("config file: {}", file.display())),
        "{text}"
    );

    std::fs::write(&file, "theme = \"light\"\nlog_line = 500\n").unwrap();
    let out = podscope(&["config"], Some(&file));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2: unknown key `log_line` (did you mean `log_lines`?)"),
        "{err}"
    );
    let out = podscope(
        &["describe", "-f", "tests/fixtures/seeds/counter.yaml"],
        Some(&file),
    );
    assert_eq!(out.status.code(), Some(2), "every command reads the config");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_has_every_config_key_in_one_table() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split("## Configuration")
        .nth(1)
        .expect("a Configuration section")
        .split("\n## ")
        .next()
        .unwrap();
    for k in KEYS {
        let default = if k.default == "none" {
            "none".to_string()
        } else {
            format!("`{}`", k.default)
        };
        assert!(
            section.contains(&format!("| `{}` | {default} |", k.key)),
            "the README's table lists {} with its default {}",
            k.key,
            k.default
        );
    }
}
