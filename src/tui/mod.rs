//! The terminal UI: lifecycle, the event loop, the keymap's terminal side, and one component
//! per file. Components borrow the state and ask the theme for every colour.

mod chrome;
mod confirm;
mod confirm_delete;
mod container_spec;
mod diagram;
pub mod event_loop;
pub mod feed;
mod help;
mod input;
mod log_view;
mod pattern_note;
mod pod_detail;
mod pod_events;
mod pod_list;
mod pod_view;
pub mod render;
mod session;
mod style;
pub mod terminal;
mod volumes;
mod yaml_view;
