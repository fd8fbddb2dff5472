//! Starting a container's process in its own root, and exec sessions inside it. With
//! [`super::process`], the demo's one place with `unsafe`: namespaces, mounts, chroot and ptys
//! are system calls.
//!
//! A container gets private mount and UTS namespaces (hostname = pod name), and joins its
//! pod's network namespace ([`super::network`]). Its root is an
//! overlay whose lower layer is the host's `/` and whose upper layer is the container's own
//! directory, so writes outside volumes never reach the host. `/proc` and `/sys` are the
//! host's, `/dev` is a small tmpfs with the usual devices, and each volume is bind-mounted at
//! its `mountPath` (read-only when asked). Exec joins those namespaces and the same root.
//! Where namespaces are not allowed (no root), processes run without any of this, in the
//! container's directory: [`Isolation::Unavailable`] says why. Pseudo-terminals and process
//! groups are in [`super::process`].

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Isolation {
    Namespaces,
    Unavailable(String),
}

#[derive(Debug, Clone)]
pub struct Bind {
    pub source: PathBuf,
    /// Absolute path inside the container.
    pub target: String,
    pub read_only: bool,
}

/// Where a container's root lives on the host: `root` is the overlay's mount point and
/// `layer` holds a tmpfs with its writable upper layer, so a container's own writes live in
/// memory and vanish with its mount namespace, as a container's writable layer does.
#[derive(Debug, Clone)]
pub struct RootDirs {
    pub root: PathBuf,
    pub layer: PathBuf,
}

impl RootDirs {
    pub fn under(dir: &Path) -> RootDirs {
        RootDirs {
            root: dir.join("root"),
            layer: dir.join("layer"),
        }
    }
}

pub struct ProcessSpec<'a> {
    pub argv: &'a [String],
    pub env: &'a [(String, String)],
    pub working_dir: &'a str,
    pub hostname: &'a str,
    pub dirs: &'a RootDirs,
    pub binds: &'a [Bind],
    /// The pod's network namespace, joined first; the host's network when `None`.
    pub network: Option<&'a File>,
}

/// Where volume sources are parked between opening and mounting (below the usual 1024 limit).
const FIRST_VOLUME_FD: libc::c_int = 600;

const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];

fn cstr(path: impl AsRef<[u8]>) -> io::Result<CString> {
    CString::new(path.as_ref().to_vec()).map_err(|_| io::Error::other("path contains a NUL byte"))
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Can this process make mount namespaces and overlays? Tried once, in a throwaway child.
pub fn probe(scratch: &Path) -> Isolation {
    let dirs = RootDirs::under(scratch);
    let spec = ProcessSpec {
        argv: &[
            "/bin/sh".to_string(),
            "-c".to_string(),
            "exit 0".to_string(),
        ],
        env: &[],
        working_dir: "/",
        hostname: "probe",
        dirs: &dirs,
        binds: &[],
        network: None,
    };
    let result = (|| {
        let mut command = container_command(&spec, &Isolation::Namespaces)?;
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let status = command.as_std_mut().status()?;
        if status.success() {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "the probe shell exited with {status}"
            )))
        }
    })();
    let _ = std::fs::remove_dir_all(scratch);
    match result {
        Ok(()) => Isolation::Namespaces,
        Err(e) => Isolation::Unavailable(e.to_string()),
    }
}

/// Every directory from `root` down to `path` (exclusive of `root`), outermost first.
fn path_prefixes(root: &Path, path: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut current = root.to_path_buf();
    for part in path
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
    {
        current.push(part);
        out.push(current.clone());
    }
    out
}

/// The command that starts a container's process (not yet spawned).
pub fn container_command(spec: &ProcessSpec<'_>, isolation: &Isolation) -> io::Result<Command> {
    let mut command = base_command(spec.argv, spec.env)?;
    command.process_group(0);
    if *isolation != Isolation::Namespaces {
        std::fs::create_dir_all(&spec.dirs.root)?;
        command.current_dir(&spec.dirs.root);
        return Ok(command);
    }
    std::fs::create_dir_all(&spec.dirs.root)?;
    std::fs::create_dir_all(&spec.dirs.layer)?;
    let root = cstr(spec.dirs.root.as_os_str().as_bytes())?;
    let layer = cstr(spec.dirs.layer.as_os_str().as_bytes())?;
    let (upper, work) = (spec.dirs.layer.join("upper"), spec.dirs.layer.join("work"));
    let layer_dirs = (
        cstr(upper.as_os_str().as_bytes())?,
        cstr(work.as_os_str().as_bytes())?,
    );
    let options = cstr(format!(
        "lowerdir=/,upperdir={},workdir={}",
        upper.display(),
        work.display()
    ))?;
    let hostname = spec.hostname.as_bytes().to_vec();
    let network = spec.network.map(AsRawFd::as_raw_fd);
    let inside = |p: &str| {
        cstr(
            spec.dirs
                .root
                .join(p.trim_start_matches('/'))
                .as_os_str()
                .as_bytes(),
        )
    };
    // Mount points are made after chroot, so every path (and any symlink in it) resolves in
    // the container's root and a write lands in its tmpfs layer, never on the host. The
    // volumes are opened here and mounted through /proc/self/fd from inside.
    let mut mkdirs: Vec<CString> = Vec::new();
    let mut files: Vec<CString> = Vec::new();
    let mut sources: Vec<(CString, libc::c_int, CString, CString, bool)> = Vec::new();
    for dir in ["/tmp", spec.working_dir] {
        for d in path_prefixes(Path::new("/"), dir) {
            mkdirs.push(cstr(d.as_os_str().as_bytes())?);
        }
    }
    for bind in spec.binds {
        let target = format!("/{}", bind.target.trim_start_matches('/'));
        let parent = if bind.source.is_dir() {
            target.as_str()
        } else {
            target.rsplit_once('/').map_or("", |(p, _)| p)
        };
        for d in path_prefixes(Path::new("/"), parent) {
            mkdirs.push(cstr(d.as_os_str().as_bytes())?);
        }
        if !bind.source.is_dir() {
            files.push(cstr(&target)?);
        }
        // A bind source must be opened in the new namespace; it is parked at a fixed
        // descriptor so its /proc/self/fd path is known before the fork.
        let fd = FIRST_VOLUME_FD + sources.len() as libc::c_int;
        let via = cstr(format!("/proc/self/fd/{fd}"))?;
        sources.push((
            cstr(bind.source.as_os_str().as_bytes())?,
            fd,
            via,
            cstr(&target)?,
            bind.read_only,
        ));
    }
    let proc_dir = (cstr("/proc")?, inside("/proc")?);
    let sys_dir = (cstr("/sys")?, inside("/sys")?);
    let dev_dir = inside("/dev")?;
    let devices: Vec<(CString, CString)> = DEVICES
        .iter()
        .map(|d| Ok((cstr(format!("/dev/{d}"))?, inside(&format!("/dev/{d}"))?)))
        .collect::<io::Result<_>>()?;
    let pts = (cstr("/dev/pts")?, inside("/dev/pts")?);
    let working_dir = cstr(spec.working_dir)?;
    let (overlay, tmpfs, slash) = (cstr("overlay")?, cstr("tmpfs")?, cstr("/")?);
    let dev_options = cstr("mode=755,size=65536k")?;
    // SAFETY: runs in the forked child before exec; it only makes system calls on data
    // prepared above (no allocation, no locks).
    unsafe {
        command.pre_exec(move || {
            let null = std::ptr::null();
            let none = std::ptr::null::<libc::c_void>();
            // If the demo dies without stopping, its containers' shells die with it.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if let Some(fd) = network {
                check(libc::setns(fd, libc::CLONE_NEWNET))?;
            }
            check(libc::unshare(libc::CLONE_NEWNS | libc::CLONE_NEWUTS))?;
            check(libc::mount(
                null,
                slash.as_ptr(),
                null,
                libc::MS_REC | libc::MS_PRIVATE,
                none,
            ))?;
            check(libc::sethostname(hostname.as_ptr().cast(), hostname.len()))?;
            check(libc::mount(
                tmpfs.as_ptr(),
                layer.as_ptr(),
                tmpfs.as_ptr(),
                0,
                none,
            ))?;
            check(libc::mkdir(layer_dirs.0.as_ptr(), 0o755))?;
            check(libc::mkdir(layer_dirs.1.as_ptr(), 0o755))?;
            check(libc::mount(
                overlay.as_ptr(),
                root.as_ptr(),
                overlay.as_ptr(),
                0,
                options.as_ptr().cast(),
            ))?;
            check(libc::mount(
                proc_dir.0.as_ptr(),
                proc_dir.1.as_ptr(),
                null,
                libc::MS_BIND | libc::MS_REC,
                none,
            ))?;
            // /sys is a convenience: some kernels refuse it in nested containers.
            libc::mount(
                sys_dir.0.as_ptr(),
                sys_dir.1.as_ptr(),
                null,
                libc::MS_BIND | libc::MS_REC,
                none,
            );
            check(libc::mount(
                tmpfs.as_ptr(),
                dev_dir.as_ptr(),
                tmpfs.as_ptr(),
                libc::MS_NOSUID,
                dev_options.as_ptr().cast(),
            ))?;
            for (source, target) in &devices {
                let fd = libc::open(
                    target.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o666,
                );
                if fd >= 0 {
                    libc::close(fd);
                    libc::mount(source.as_ptr(), target.as_ptr(), null, libc::MS_BIND, none);
                }
            }
            if libc::mkdir(pts.1.as_ptr(), 0o755) == 0 {
                libc::mount(
                    pts.0.as_ptr(),
                    pts.1.as_ptr(),
                    null,
                    libc::MS_BIND | libc::MS_REC,
                    none,
                );
            }
            for (source, fd, _, _, _) in &sources {
                let opened = libc::open(source.as_ptr(), libc::O_PATH | libc::O_CLOEXEC);
                if opened < 0 || libc::dup3(opened, *fd, libc::O_CLOEXEC) < 0 {
                    return Err(io::Error::last_os_error());
                }
                libc::close(opened);
            }
            check(libc::chroot(root.as_ptr()))?;
            check(libc::chdir(slash.as_ptr()))?;
            for dir in &mkdirs {
                libc::mkdir(dir.as_ptr(), 0o755);
            }
            for file in &files {
                let fd = libc::open(
                    file.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                );
                if fd >= 0 {
                    libc::close(fd);
                }
            }
            for (_, _, via, target, read_only) in &sources {
                check(libc::mount(
                    via.as_ptr(),
                    target.as_ptr(),
                    null,
                    libc::MS_BIND | libc::MS_REC,
                    none,
                ))?;
                if *read_only {
                    let flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | libc::MS_REC;
                    check(libc::mount(null, target.as_ptr(), null, flags, none))?;
                }
            }
            if libc::chdir(working_dir.as_ptr()) != 0 {
                check(libc::chdir(slash.as_ptr()))?;
            }
            Ok(())
        });
    }
    Ok(command)
}

fn base_command(argv: &[String], env: &[(String, String)]) -> io::Result<Command> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command given"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)));
    command.kill_on_drop(true);
    Ok(command)
}

/// A command run inside a running container: its namespaces (entered through `pid`) and root.
pub struct ExecTarget<'a> {
    pub pid: u32,
    pub dirs: &'a RootDirs,
    pub working_dir: &'a str,
}

pub fn exec_command(
    argv: &[String],
    env: &[(String, String)],
    target: &ExecTarget<'_>,
    isolation: &Isolation,
    tty: bool,
) -> io::Result<Command> {
    let mut command = base_command(argv, env)?;
    if *isolation != Isolation::Namespaces {
        command.current_dir(&target.dirs.root);
        if tty {
            // SAFETY: setsid and ioctl only, in the forked child.
            unsafe {
                command.pre_exec(|| {
                    check(libc::setsid().min(0))?;
                    check(libc::ioctl(0, libc::TIOCSCTTY, 0))
                });
            }
        } else {
            command.process_group(0);
        }
        return Ok(command);
    }
    let mnt = File::open(format!("/proc/{}/ns/mnt", target.pid))?;
    let uts = File::open(format!("/proc/{}/ns/uts", target.pid))?;
    let net = File::open(format!("/proc/{}/ns/net", target.pid))?;
    let root = cstr(target.dirs.root.as_os_str().as_bytes())?;
    let working_dir = cstr(target.working_dir)?;
    let slash = cstr("/")?;
    if !tty {
        command.process_group(0);
    }
    // SAFETY: system calls only, on descriptors and strings prepared above.
    unsafe {
        command.pre_exec(move || {
            check(libc::setns(mnt.as_raw_fd(), libc::CLONE_NEWNS))?;
            check(libc::setns(uts.as_raw_fd(), libc::CLONE_NEWUTS))?;
            check(libc::setns(net.as_raw_fd(), libc::CLONE_NEWNET))?;
            check(libc::chroot(root.as_ptr()))?;
            if libc::chdir(working_dir.as_ptr()) != 0 {
                check(libc::chdir(slash.as_ptr()))?;
            }
            if tty {
                check(libc::setsid().min(0))?;
                check(libc::ioctl(0, libc::TIOCSCTTY, 0))?;
            }
            Ok(())
        });
    }
    Ok(command)
}
