//! A tmux session running a command in a real terminal, read back as a person would see it.
//! Each session has its own tmux server (socket), so tests never touch the user's tmux; the
//! server is killed on drop, so a failing test leaves nothing behind.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

pub struct Tmux {
    pub session: String,
    /// The private HOME of [`Tmux::podscope`], removed on drop.
    pub home: Option<PathBuf>,
}

fn tmux(socket: &str, args: &[&str]) -> Output {
    Command::new("tmux")
        .args(["-L", socket, "-f", "/dev/null"])
        .args(args)
        .output()
        .expect("tmux is installed (.ci/run installs it)")
}

impl Tmux {
    /// Start `shell_command` in a detached `width` x `height` session.
    pub fn start(name: &str, width: u16, height: u16, shell_command: &str) -> Tmux {
        let session = format!("{name}-{}", std::process::id());
        let out = tmux(
            &session,
            &[
                "new-session",
                "-d",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                "-s",
                &session,
                shell_command,
            ],
        );
        assert!(out.status.success(), "tmux new-session: {out:?}");
        // Hand Escape to the program at once instead of waiting to see if a sequence follows.
        tmux(&session, &["set-option", "-s", "escape-time", "0"]);
        Tmux {
            session,
            home: None,
        }
    }

    /// `podscope ARGS` in a `width` x `height` terminal, with its HOME (and so its log and
    /// config) in a private directory; `podscope-exit=N` is printed when it ends.
    pub fn podscope(name: &str, width: u16, height: u16, args: &str) -> Tmux {
        let home = std::env::temp_dir().join(format!("{name}-home-{}", std::process::id()));
        std::fs::create_dir_all(&home).unwrap();
        let command = format!(
            "env HOME={home} XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config {bin} {args}; echo podscope-exit=$?; sleep 60",
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_podscope"),
        );
        let mut term = Tmux::start(name, width, height, &command);
        term.home = Some(home);
        term
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(
            &tmux(&self.session, &["capture-pane", "-p", "-t", &self.session]).stdout,
        )
        .into_owned()
    }

    /// Wait up to 10 s for `wanted` on screen; the panic shows the screen.
    pub fn wait_for(&self, wanted: &str) -> String {
        self.wait_until(wanted, |s| s.contains(wanted))
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_longer(what, Duration::from_secs(10), ok)
    }

    /// As [`Tmux::wait_until`], for things that take their time (a crash-loop back-off).
    pub fn wait_longer(&self, what: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
        for _ in 0..limit.as_millis() / 100 {
            let s = self.screen();
            // A screen read while the program was still writing a frame can pass the check
            // and lack what the caller looks at next: take it only once a second look, a
            // moment later, shows the same screen.
            if ok(&s) && self.settled(&s) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("{what:?} never appeared:\n{}", self.screen());
    }

    fn settled(&self, seen: &str) -> bool {
        std::thread::sleep(Duration::from_millis(40));
        self.screen() == seen
    }

    /// Type keys (tmux key names such as `Enter`, `Escape`, `C-c`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        tmux(&self.session, &args);
    }

    /// Type text literally.
    pub fn type_text(&self, text: &str) {
        tmux(
            &self.session,
            &["send-keys", "-t", &self.session, "-l", text],
        );
    }

    pub fn resize(&self, width: u16, height: u16) {
        tmux(
            &self.session,
            &[
                "resize-window",
                "-t",
                &self.session,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ],
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        tmux(&self.session, &["kill-server"]);
        if let Some(home) = &self.home {
            let _ = std::fs::remove_dir_all(home);
        }
    }
}
