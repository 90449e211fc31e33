//! The compensation policy of policy.md: data (a versioned TOML file), an
//! exact evaluation over rust_decimal that explains itself, and what-if.
//!
//! - [`Policy`]: every parameter, read from / written to TOML and validated.
//! - [`PolicyDraft`]: the policy as an editor holds it (figures as typed), with every problem at its field.
//! - [`evaluate_all`]: checks 1-5 and the remedy table over a set of claims.
//! - [`explain`]: one claim's outcome with its steps in Korean and English.
//! - [`what_if`]: two policies over the same claims, compared.

mod config;
mod draft;
mod evaluate;
mod explain;
mod whatif;

#[cfg(test)]
mod tests;

pub use config::{
    AdvertiserRule, Band, DocumentedLossRule, DriverRule, ExtensionRule, FilingWindow, Policy, PolicyError,
    PolicyProblem, SmallBusinessRule, DEFAULT_POLICY_TOML,
};
pub use draft::{
    AdvertiserDraft, BandDraft, DocumentedDraft, DriverDraft, ExtensionDraft, PolicyDraft, ServiceDraft, SmallBusinessDraft,
    WindowDraft,
};
pub use evaluate::{evaluate_all, Outcome, PolicyInput};
pub use explain::{explain, Explanation, Step};
pub use whatif::{what_if, Change, GroupDiff, GroupTotal, ReasonCount, Totals, WhatIf};
