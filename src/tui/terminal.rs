//! The terminal's lifecycle: raw mode and the alternate screen on entry; restored on exit, on
//! every error path (the guard's drop) and on panic (the hook runs before the panic message
//! is printed); Ctrl-Z suspend and resume; the clipboard through OSC 52.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

/// Frames are written through a buffer large enough for a whole screen, so each frame
/// reaches the terminal in one write when ratatui flushes after drawing: a terminal (or a
/// test reading the screen) never shows half of one. Std's own stdout buffer is a line
/// buffer of 1 KiB, and frames have no newlines, so they went out in 1 KiB pieces.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Enough for a full 300x100 frame with a colour change in every cell.
const FRAME_BUFFER: usize = 1 << 20;

/// Whether the TUI takes the mouse (clicks and the wheel) while it has the screen.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Whether the TUI is on the alternate screen now. Leaving it twice would move the cursor
/// back to where the TUI started (the terminal restores the cursor it saved on entry), and
/// what was printed since (an exec session, a panic's message) would be written over.
static ALTERNATE: AtomicBool = AtomicBool::new(false);

/// Owns the terminal while the TUI runs; dropping it gives the terminal back.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl TerminalGuard {
    /// Take the terminal; with `mouse`, clicks and the wheel come to the TUI (the terminal's
    /// own selection then needs Shift held, in most terminals).
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        MOUSE.store(mouse, Ordering::Relaxed);
        install_panic_hook();
        setup()?;
        let terminal = Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
            FRAME_BUFFER,
            io::stdout(),
        )))?;
        Ok(TerminalGuard { terminal })
    }

    /// Ctrl-Z: give the terminal back, stop until the shell resumes us, then take it again
    /// and repaint everything.
    pub fn suspend(&mut self) -> io::Result<()> {
        restore();
        // SAFETY: raise has no memory-safety preconditions; SIGTSTP's default action stops
        // the process until SIGCONT.
        unsafe {
            libc::raise(libc::SIGTSTP);
        }
        setup()?;
        self.repaint_all()
    }

    /// Give the screen to something else (an exec session) but stay in raw mode: the
    /// remote terminal does the echoing and line editing.
    pub fn leave(&mut self) -> io::Result<()> {
        ALTERNATE.store(false, Ordering::Relaxed);
        execute!(
            io::stdout(),
            DisableMouseCapture,
            LeaveAlternateScreen,
            Show
        )
    }

    /// Take the screen back after [`TerminalGuard::leave`] and repaint all of it.
    pub fn take_back(&mut self) -> io::Result<()> {
        setup()?;
        self.repaint_all()
    }

    /// Forget what is on screen so the next draw writes every cell (after a suspend or when
    /// something else wrote to the terminal). Resizing to the full size does this without
    /// asking the terminal for the cursor position.
    pub fn repaint_all(&mut self) -> io::Result<()> {
        let size = self.terminal.size()?;
        self.terminal
            .resize(Rect::new(0, 0, size.width, size.height))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

fn setup() -> io::Result<()> {
    enable_raw_mode()?;
    ALTERNATE.store(true, Ordering::Relaxed);
    execute!(io::stdout(), EnterAlternateScreen, Hide)?;
    if MOUSE.load(Ordering::Relaxed) {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

/// Leave raw mode, the mouse and the alternate screen; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    if MOUSE.load(Ordering::Relaxed) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
    if ALTERNATE.swap(false, Ordering::Relaxed) {
        let _ = execute!(io::stdout(), LeaveAlternateScreen);
    }
    let _ = execute!(io::stdout(), Show);
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Put `text` on the clipboard of the terminal (and, through it, of the desktop) with the
/// OSC 52 escape; terminals that do not support it ignore it.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{encoded}\x07")?;
    out.flush()
}
