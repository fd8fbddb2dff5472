//! `podscope describe`: what each container of a pod is for and which volumes they share,
//! without the TUI.

pub mod json;
pub mod table;
