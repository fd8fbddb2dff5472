//! The only code that talks to the Kubernetes API: client setup, the pod watcher, exec
//! sessions, log streams and debug containers.

pub mod connect;
pub mod debug;
pub mod delete;
pub mod errors;
pub mod exec;
pub mod logs;
pub mod metrics;
pub mod pod_events;
pub mod portforward;
pub mod snapshot;
pub mod stdin_pump;
pub mod watch;

pub use connect::{ConnectError, Connection, Target, connect};
pub use errors::ApiFailure;
pub use watch::{PodWatch, WatchReport, WatchStatus};
