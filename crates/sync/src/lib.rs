//! Sync between desktops and the team server (spec: sync.md).
//!
//! - `protocol`: the wire contract shared by the client and the server (`crates/server`).
//! - `fold`: the merge rules as a pure fold of a claim's ops (no I/O), used by
//!   the store when it applies pulled ops, by the tests and by the server.
//! - `admit`: what the server decides before it stores a pushed op (pure,
//!   shared by the server and the tests' in-memory server).
//! - `engine`: one sync run (push the outbox, pull after the cursor) against
//!   any [`engine::Replica`] (the store) and any [`engine::Transport`].
//! - `client` (feature `client`): the HTTPS transport and login.

pub mod admit;
pub mod engine;
pub mod fold;
pub mod protocol;

#[cfg(feature = "client")]
pub mod client;
