//! Sync between desktops and the team server (spec: sync.md).
//!
//! `protocol` is the wire contract shared by the client (this crate) and the
//! server (`crates/server`).

pub mod protocol;
