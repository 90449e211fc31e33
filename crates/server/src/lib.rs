//! The ClaimDesk sync server (spec: sync.md, "Server"): users, devices and
//! the op log and each claim's folded state on PostgreSQL; login, push (every
//! op decided by the core's rules, `claimdesk_sync::admit`), pull after a cursor. No state outside PostgreSQL, so several
//! instances can serve one database.

pub mod admin;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod guard;
pub mod http;
pub mod push;
