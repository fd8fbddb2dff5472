//! The only code that talks to the Kubernetes API: client setup and the pod watcher.

pub mod connect;
pub mod watch;

pub use connect::{ConnectError, Connection, Target, connect};
pub use watch::{PodWatch, WatchReport, WatchStatus};
