//! The ClaimDesk sync server (spec: sync.md, "Server"): users, devices and
//! the op log on PostgreSQL; login, push (every op checked against the core's
//! rules), pull after a cursor. No state outside PostgreSQL, so several
//! instances can serve one database.

pub mod admin;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod push;
pub mod rules;
