//! podscope: a terminal UI for exploring multi-container Kubernetes pods.

pub mod cli;
pub mod cluster;
pub mod config;
pub mod config_keys;
pub mod demo;
pub mod describe;
pub mod launch;
pub mod load;
pub mod logging;
pub mod model;
pub mod run;
pub mod signals;
pub mod state;
pub mod theme;
pub mod tui;
