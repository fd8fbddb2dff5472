//! crossterm's key events as the state's [`Key`]s.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::state::Key;

/// The key, for presses and repeats (releases are ignored).
pub fn key(event: KeyEvent) -> Option<Key> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    Some(match event.code {
        KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    })
}

/// Terminal events read on a thread of our own, which can be stopped for certain before an
/// exec session or a suspend takes the terminal. (crossterm's `EventStream` leaves a reader
/// thread behind when dropped; if it outlives the hand-over it swallows the first keystrokes
/// meant for the shell and delivers them to the TUI later.)
pub struct TermInput {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub rx: tokio::sync::mpsc::Receiver<std::io::Result<crossterm::event::Event>>,
}

impl TermInput {
    pub fn start() -> TermInput {
        use std::sync::atomic::Ordering;
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("terminal-input".into())
            .spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    if hung_up() {
                        // crossterm's read() would spin forever on a terminal that is gone;
                        // SIGHUP tells the event loop.
                        return;
                    }
                    let event = match crossterm::event::poll(std::time::Duration::from_millis(50)) {
                        Ok(false) => continue,
                        Ok(true) => crossterm::event::read(),
                        Err(e) => Err(e),
                    };
                    let failed = event.is_err();
                    if tx.blocking_send(event).is_err() || failed {
                        return;
                    }
                }
            })
            .ok();
        TermInput { stop, thread, rx }
    }

    /// Stop reading; when this returns nothing reads the terminal any more.
    pub fn stop(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TermInput {
    /// On the way out the thread is told to stop but not waited for: the process is ending,
    /// and the terminal may be gone.
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The terminal on stdin has hung up (closed window, killed tmux server).
fn hung_up() -> bool {
    let mut pfd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, and its count; a zero timeout never blocks.
    let ready = unsafe { libc::poll(&mut pfd, 1, 0) };
    ready > 0 && pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Two clicks on the same thing within this long are a double click.
const DOUBLE_CLICK: std::time::Duration = std::time::Duration::from_millis(400);

/// Turns crossterm's mouse events into clicks on what the last frame drew there, and the
/// wheel; remembers the last click to tell a double click.
#[derive(Default)]
pub struct Clicks {
    last: Option<(std::time::Instant, crate::state::mouse::Target)>,
}

impl Clicks {
    pub fn mouse(
        &mut self,
        event: crossterm::event::MouseEvent,
        hits: &[crate::state::mouse::Hit],
    ) -> Option<crate::state::Msg> {
        use crate::state::Msg;
        use crossterm::event::{MouseButton, MouseEventKind};
        match event.kind {
            MouseEventKind::ScrollDown => Some(Msg::Wheel(1)),
            MouseEventKind::ScrollUp => Some(Msg::Wheel(-1)),
            MouseEventKind::Down(MouseButton::Left) => {
                let target = crate::state::mouse::target_at(hits, event.column, event.row)?;
                let now = std::time::Instant::now();
                let double = self
                    .last
                    .is_some_and(|(at, t)| t == target && now.duration_since(at) <= DOUBLE_CLICK);
                // A third click starts over rather than counting as another double.
                self.last = if double { None } else { Some((now, target)) };
                Some(Msg::Click { target, double })
            }
            _ => None,
        }
    }
}
