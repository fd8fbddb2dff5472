//! Pseudo-terminals for `exec -t`, and killing a process group: system calls, like
//! [`super::sandbox`].

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use tokio::process::Child;

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// A pseudo-terminal pair for `exec -t`.
pub struct Pty {
    pub master: OwnedFd,
    pub slave: File,
}

pub fn open_pty(cols: u16, rows: u16) -> io::Result<Pty> {
    // SAFETY: plain libc calls; every descriptor is owned right after it is returned.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        if master < 0 {
            return Err(io::Error::last_os_error());
        }
        let master = OwnedFd::from_raw_fd(master);
        check(libc::grantpt(master.as_raw_fd()))?;
        check(libc::unlockpt(master.as_raw_fd()))?;
        let mut name = [0 as libc::c_char; 128];
        check(libc::ptsname_r(
            master.as_raw_fd(),
            name.as_mut_ptr(),
            name.len(),
        ))?;
        let slave = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        if slave < 0 {
            return Err(io::Error::last_os_error());
        }
        let pty = Pty {
            master,
            slave: File::from_raw_fd(slave),
        };
        resize(&pty.master, cols, rows)?;
        let flags = libc::fcntl(pty.master.as_raw_fd(), libc::F_GETFL);
        check(
            libc::fcntl(
                pty.master.as_raw_fd(),
                libc::F_SETFL,
                flags | libc::O_NONBLOCK,
            )
            .min(0),
        )?;
        Ok(pty)
    }
}

pub fn resize(master: &OwnedFd, cols: u16, rows: u16) -> io::Result<()> {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from a valid pointer.
    check(unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &size) })
}

/// Kill a container's or session's whole process group (its shell and everything it started).
pub fn kill_group(child: &Child) {
    if let Some(pid) = child.id() {
        kill_pid_group(pid);
    }
}

/// Ask a container's process group to stop (SIGTERM), as the kubelet does before its grace
/// period ends.
pub fn term_group(child: &Child) {
    if let Some(pid) = child.id() {
        // SAFETY: kill has no memory effects; a stale group id fails with ESRCH.
        unsafe {
            libc::kill(-(pid as libc::pid_t), libc::SIGTERM);
        }
    }
}

pub fn kill_pid_group(pid: u32) {
    // SAFETY: kill has no memory effects; a stale group id fails with ESRCH.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}
