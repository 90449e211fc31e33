//! ClaimDesk's domain, with no I/O: what a claim is, the rules of its
//! workflow, the compensation policy and the clock that orders every change.
//! The store, the CLI, the app and the sync server all call into this crate,
//! so a rule lives here once.

pub mod catalog;
pub mod grant;
pub mod hlc;
pub mod mask;
pub mod message;
pub mod model;
pub mod notice;
pub mod ops;
pub mod policy;
pub mod time;
pub mod toml_text;
pub mod validate;
pub mod workflow;

pub use catalog::{Catalog, Service};
pub use grant::Grant;
pub use model::{
    Actor, Category, ClaimAction, ClaimInput, ClaimStatus, LetterKind, NoteKind, NoticeChannel,
    PersonalField, Reason, Remedy, ReportType, Role,
};
pub use ops::{Op, Stamp};
