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
    /// config) in a private directory; `podscope-exit=N` is printed when it ends, then the
    /// terminal's line discipline as `tty: isig icanon echo` (a `-` before a flag that is off).
    pub fn podscope(name: &str, width: u16, height: u16, args: &str) -> Tmux {
        Tmux::podscope_env(name, width, height, "", args)
    }

    /// As [`Tmux::podscope`], with `VAR=value ...` added to podscope's environment. TMPDIR
    /// is the private HOME's `tmp`, so whatever podscope and the demo it runs leave there is
    /// theirs (see `common::procs`).
    pub fn podscope_env(name: &str, width: u16, height: u16, env: &str, args: &str) -> Tmux {
        let home = std::env::temp_dir().join(format!("{name}-home-{}", std::process::id()));
        std::fs::create_dir_all(home.join("tmp")).unwrap();
        let command = format!(
            "env HOME={home} XDG_STATE_HOME={home}/state XDG_CONFIG_HOME={home}/config TMPDIR={home}/tmp {env} {bin} {args}; \
             echo podscope-exit=$?; \
             echo \"tty: $(stty -a | tr -s ' ;' '\\n' | grep -xE -- '-?(isig|icanon|echo)' | tr '\\n' ' ')\"; \
             sleep 60",
            home = home.display(),
            bin = env!("CARGO_BIN_EXE_podscope"),
        );
        let mut term = Tmux::start(name, width, height, &command);
        term.home = Some(home);
        term
    }

    /// The terminal as podscope left it: `(alternate screen on, cursor visible)`, as tmux
    /// keeps them for the pane.
    pub fn screen_modes(&self) -> (bool, bool) {
        let out = tmux(
            &self.session,
            &[
                "display-message",
                "-p",
                "-t",
                &self.session,
                "#{alternate_on} #{cursor_flag}",
            ],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut flags = text.split_whitespace().map(|f| f == "1");
        (
            flags.next().expect("tmux prints alternate_on"),
            flags.next().expect("tmux prints cursor_flag"),
        )
    }

    /// After podscope ended: the terminal is in cooked mode (signals, line editing and echo
    /// on), on the main screen, with the cursor shown. Returns the screen.
    pub fn assert_given_back(&self) -> String {
        let screen = self.wait_for("tty: ");
        let line = screen
            .lines()
            .find(|l| l.starts_with("tty: "))
            .unwrap_or_default();
        let flags: Vec<&str> = line["tty: ".len()..].split_whitespace().collect();
        assert_eq!(
            flags,
            ["isig", "icanon", "echo"],
            "the terminal is not in cooked mode:\n{screen}"
        );
        assert_eq!(
            self.screen_modes(),
            (false, true),
            "(alternate screen, cursor visible) after podscope ended:\n{screen}"
        );
        screen
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

/// Open the demo's counter pod from the list and select its second container, count-agent.
pub fn open_count_agent(term: &Tmux) {
    // (With one namespace there is no NAMESPACE column: the name starts the line.)
    term.wait_until("counter running", |s| {
        s.lines().any(|l| {
            let mut words = l.split_whitespace();
            words.any(|w| w == "counter") && words.next() == Some("2/2")
        })
    });
    term.type_text("/counter");
    term.keys(&["Enter", "Enter"]);
    term.wait_for("Pod counter");
    term.keys(&["j"]);
    term.wait_for("┌ count-agent");
}

impl Drop for Tmux {
    fn drop(&mut self) {
        tmux(&self.session, &["kill-server"]);
        if let Some(home) = &self.home {
            let _ = std::fs::remove_dir_all(home);
        }
    }
}
