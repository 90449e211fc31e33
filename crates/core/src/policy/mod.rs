//! The compensation policy of policy.md: data (a versioned TOML file), an
//! exact evaluation over rust_decimal that explains itself, and what-if.
//!
//! - [`Policy`]: every parameter, read from / written to TOML and validated.
//! - [`PolicyDraft`]: the policy as an editor holds it (figures as typed), with every problem at its field.
//!   [`EXAMPLE_POLICIES`]: the default and the final 2022 programme, shipped.
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

#[cfg(test)]
mod grant_tests;

pub use config::{
    example_policy, standard_documents, standard_reasons, AdvertiserRule, Band, CitedReason, CureWindow,
    DocumentDef, DocumentedLossRule, DriverRule, ExamplePolicy, ExtensionRule, FilingWindow, FreeUserRule,
    GrantRule, Policy, PolicyError, PolicyProblem, ReasonDef, ReasonKind, Segment, SegmentFallback, Segments,
    SmallBusinessRule, DEFAULT_POLICY_TOML, EXAMPLE_POLICIES, FINAL_2022_POLICY_TOML, LEGACY_REASON,
};
pub use draft::{
    AdvertiserDraft, BandDraft, DocumentedDraft, DriverDraft, ExtensionDraft, PolicyDraft, ServiceDraft,
    SmallBusinessDraft, WindowDraft,
};
pub use evaluate::{evaluate_all, Outcome, PolicyInput};
pub use explain::{describe_grant, explain, Explanation, Step};
pub use whatif::{
    what_if, Change, GrantDiff, GrantTotal, GroupDiff, GroupTotal, ReasonCount, Totals, WhatIf,
};
