//! The end-to-end tests need the built app. They run (and fail when the app
//! is missing) when `CLAIMDESK_APP_BIN` or `CI` is set while they are built,
//! as scripts/test.sh does; otherwise they are compiled with `#[ignore]`, so
//! a plain `cargo test` reports them ignored rather than passed.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(claimdesk_e2e)");
    println!("cargo::rerun-if-env-changed=CLAIMDESK_APP_BIN");
    println!("cargo::rerun-if-env-changed=CI");
    let set = |name: &str| {
        std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
    };
    if set("CLAIMDESK_APP_BIN") || set("CI") {
        println!("cargo::rustc-cfg=claimdesk_e2e");
    }
}
