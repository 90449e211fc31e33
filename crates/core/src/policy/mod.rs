//! The compensation policy of policy.md: data (a versioned TOML file), an
//! exact evaluation over rust_decimal that explains itself, and what-if.
