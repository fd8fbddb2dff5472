//! A network per pod, as a pod sandbox has: its own network namespace with a loopback device
//! that is up and carries the pod's IP, so the containers of one pod share `localhost` and two
//! pods can both listen on port 80. Nothing leaves it: there are no veth pairs, routes or
//! firewall rules, and the host's network is never changed. The demo itself reaches into a
//! pod's namespace (a thread enters it to open a socket, which stays in that namespace) to
//! carry port-forward and Service traffic in user space. Where network namespaces cannot be
//! made, pods share the host's network, and [`Networking::Unavailable`] says why.

use std::fs::File;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Networking {
    PerPod,
    Unavailable(String),
}

/// One pod's network: its namespace (kept alive by this descriptor) and its IP.
#[derive(Debug)]
pub struct PodNetwork {
    pub namespace: File,
    pub ip: Ipv4Addr,
    /// Addresses added to its loopback since (Service IPs), by alias number.
    extra: std::sync::Mutex<Vec<Ipv4Addr>>,
}

fn check(ret: libc::c_int) -> io::Result<()> {
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Run `f` on a thread of its own inside `namespace` (entering a namespace is per thread).
fn inside<T: Send + 'static>(
    namespace: &File,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let ns = namespace.try_clone()?;
    std::thread::spawn(move || {
        // SAFETY: setns on a descriptor we own, affecting only this thread.
        check(unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) })?;
        f()
    })
    .join()
    .map_err(|_| io::Error::other("the network thread panicked"))?
}

/// An `ifreq` naming `name` (at most 15 bytes).
fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: ifreq is plain data; all zeroes is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req
        .ifr_name
        .iter_mut()
        .zip(name.bytes().take(libc::IFNAMSIZ - 1))
    {
        *dst = src as libc::c_char;
    }
    req
}

fn sockaddr(ip: Ipv4Addr) -> libc::sockaddr {
    let addr = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: 0,
        sin_addr: libc::in_addr {
            s_addr: u32::from(ip).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: sockaddr_in and sockaddr have the same size; this is how the C API is used.
    unsafe { std::mem::transmute::<libc::sockaddr_in, libc::sockaddr>(addr) }
}

/// `ip`/32 on the calling thread's loopback, as the alias `label` (`lo:N`).
fn add_alias(fd: libc::c_int, label: &str, ip: Ipv4Addr) -> io::Result<()> {
    let mut alias = ifreq(label);
    alias.ifr_ifru.ifru_addr = sockaddr(ip);
    // SAFETY: ioctls on a socket the caller owns, with stack-allocated ifreqs.
    unsafe {
        check(libc::ioctl(fd, libc::SIOCSIFADDR, &alias))?;
        alias.ifr_ifru.ifru_netmask = sockaddr(Ipv4Addr::BROADCAST);
        check(libc::ioctl(fd, libc::SIOCSIFNETMASK, &alias))?;
    }
    Ok(())
}

fn control_socket() -> io::Result<OwnedFd> {
    // SAFETY: a new socket, owned by the returned descriptor.
    unsafe {
        let raw = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(OwnedFd::from_raw_fd(raw))
    }
}

/// In the calling thread's (new) namespace: `lo` up, and `ip`/32 on it as `lo:1`.
fn configure_loopback(ip: Ipv4Addr) -> io::Result<()> {
    let sock = control_socket()?;
    let fd = sock.as_raw_fd();
    let mut lo = ifreq("lo");
    // SAFETY: ioctls on the socket above, with a stack-allocated ifreq.
    unsafe {
        check(libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut lo))?;
        lo.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
        check(libc::ioctl(fd, libc::SIOCSIFFLAGS, &lo))?;
    }
    add_alias(fd, "lo:1", ip)
}

/// A new network namespace with loopback up and `ip` on it.
pub fn create(ip: Ipv4Addr) -> io::Result<PodNetwork> {
    std::thread::spawn(move || {
        // SAFETY: unshare affects only this thread, which ends here; the namespace lives on
        // through the descriptor opened below.
        check(unsafe { libc::unshare(libc::CLONE_NEWNET) })?;
        configure_loopback(ip)?;
        let namespace = File::open("/proc/thread-self/ns/net")?;
        Ok(PodNetwork {
            namespace,
            ip,
            extra: std::sync::Mutex::new(Vec::new()),
        })
    })
    .join()
    .map_err(|_| io::Error::other("the network thread panicked"))?
}

/// Can this process make network namespaces? Tried once.
pub fn probe() -> Networking {
    match create(Ipv4Addr::new(10, 244, 0, 1)) {
        Ok(_) => Networking::PerPod,
        Err(e) => Networking::Unavailable(e.to_string()),
    }
}

impl PodNetwork {
    /// A connection to `port` on the pod's loopback, as a process in the pod would open it.
    pub fn connect(&self, port: u16) -> io::Result<TcpStream> {
        inside(&self.namespace, move || {
            TcpStream::connect(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        })
    }

    /// A listening socket inside the pod (for the stand-ins that serve, and Services).
    pub fn listen(&self, addr: SocketAddr) -> io::Result<TcpListener> {
        inside(&self.namespace, move || TcpListener::bind(addr))
    }

    /// Put `ip` on the pod's loopback too (a Service's cluster IP), once.
    pub fn add_address(&self, ip: Ipv4Addr) -> io::Result<()> {
        let mut extra = self
            .extra
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?;
        if ip == self.ip || extra.contains(&ip) {
            return Ok(());
        }
        let label = format!("lo:{}", extra.len() + 2);
        inside(&self.namespace, move || {
            add_alias(control_socket()?.as_raw_fd(), &label, ip)
        })?;
        extra.push(ip);
        Ok(())
    }
}

impl super::Runtime {
    /// The pod's own network, made on first use: a namespace and the next IP of 10.244.0.0/16.
    /// `None` when pods share the host's network (no namespaces here, or `hostNetwork`).
    pub fn network(&self, namespace: &str, name: &str) -> Option<Arc<PodNetwork>> {
        let key = (namespace.to_string(), name.to_string());
        let mut networks = self.networks.lock().ok()?;
        if let Some(net) = networks.get(&key) {
            return Some(net.clone());
        }
        if self.networking != Networking::PerPod {
            return None;
        }
        let n = self
            .last_ip
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let ip = std::net::Ipv4Addr::new(10, 244, (n / 250) as u8, (n % 250) as u8 + 2);
        let net = Arc::new(create(ip).ok()?);
        networks.insert(key, net.clone());
        Some(net)
    }

    /// Every pod network there is now, by (namespace, name).
    pub fn networks_now(&self) -> Vec<((String, String), Arc<PodNetwork>)> {
        self.networks
            .lock()
            .map(|n| n.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// The pod's network if it has one already.
    pub fn existing_network(&self, namespace: &str, name: &str) -> Option<Arc<PodNetwork>> {
        let key = (namespace.to_string(), name.to_string());
        self.networks.lock().ok()?.get(&key).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn two_pods_listen_on_the_same_port_and_each_sees_its_own() {
        let Networking::PerPod = probe() else {
            eprintln!("network namespaces are not available here: skipped");
            return;
        };
        let a = create(Ipv4Addr::new(10, 244, 9, 1)).unwrap();
        let b = create(Ipv4Addr::new(10, 244, 9, 2)).unwrap();
        let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 8080));
        let (la, lb) = (a.listen(any).unwrap(), b.listen(any).unwrap());
        for (net, listener, word) in [(&a, la, b"a"), (&b, lb, b"b")] {
            let server = std::thread::spawn(move || {
                let (mut s, _) = listener.accept().unwrap();
                s.write_all(word).unwrap();
            });
            let mut got = Vec::new();
            net.connect(8080).unwrap().read_to_end(&mut got).unwrap();
            server.join().unwrap();
            assert_eq!(got, word);
        }
        // Each pod has its own IP, and not the other's.
        assert!(a.listen(SocketAddr::from((a.ip, 8081))).is_ok());
        assert!(a.listen(SocketAddr::from((b.ip, 8081))).is_err());
    }
}
