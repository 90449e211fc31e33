//! The app's first screen on a machine without any system CJK font: the
//! Korean is drawn with the font the app bundles, and the glyph check that
//! guards every screenshot can tell real glyphs from missing-glyph boxes.
//!
//! The app starts on a fresh HOME without CLAIMDESK_DB, so it opens its
//! default store in the app data dir. scripts/test.sh runs this on the app it
//! builds, scripts/test-deb.sh on the app installed from the deb
//! (CLAIMDESK_APP_BIN=/usr/bin/claimdesk-app).

use std::path::PathBuf;

use claimdesk_e2e::{app_binary, fontconfig_file, fonts_with_hangul, Desktop, Result, BUNDLED_FONT};

/// The app's data dir under the harness's XDG_DATA_HOME (HOME/data): named
/// by tauri.conf.json's `identifier`.
const DATA_DIR: &str = "data/kr.claimdesk.desktop";

/// A slice of the bundled font that has 가 (U+AC00), from the UI's npm package.
fn korean_font_file() -> Result<PathBuf> {
    let p = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../../ui/node_modules/@fontsource-variable/noto-sans-kr/files/noto-sans-kr-119-wght-normal.woff2");
    if !p.is_file() {
        return Err(format!("{} is missing: run `npm ci` in ui/ (scripts/test.sh does)", p.display()).into());
    }
    Ok(p)
}

/// The gate of the harness (fc-list finds no font with Hangul under the
/// test's fontconfig) can fail: a config that adds a folder with a Korean
/// font is caught.
#[test]
fn the_test_fontconfig_has_no_hangul_and_fc_list_would_see_one() -> Result<()> {
    let cache = tempfile::tempdir()?;
    assert_eq!(fonts_with_hangul(&fontconfig_file(), cache.path())?, Vec::<String>::new());

    let dir = tempfile::tempdir()?;
    let font = dir.path().join("korean.woff2");
    std::fs::copy(korean_font_file()?, &font)?;
    let conf = dir.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><include>{}</include><dir>{}</dir></fontconfig>\n",
            fontconfig_file().display(),
            dir.path().display()
        ),
    )?;
    let found = fonts_with_hangul(&conf, cache.path())?;
    assert_eq!(found, vec![font.display().to_string()], "fc-list should see the Korean font");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(claimdesk_e2e),
    ignore = "needs the built app: set CLAIMDESK_APP_BIN (scripts/test.sh does, with CI=1)"
)]
async fn the_first_screen_is_readable_korean_without_system_cjk_fonts() -> Result<()> {
    let app = app_binary()?;
    let d = Desktop::launch_with(&app, None).await?;
    let outcome = first_screen(&d).await;
    if outcome.is_err() {
        let _ = d.capture("zz-failure-first-screen").await;
    }
    let store = d.home.path().join(DATA_DIR).join("claimdesk.db");
    let home = d.home.path().to_path_buf();
    let store_made = claimdesk_store::keys::inspect(&store);
    // The modes now: the temporary HOME goes with the desktop.
    let mode = |p: &std::path::Path| -> std::io::Result<u32> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            Ok(std::fs::metadata(p)?.permissions().mode() & 0o777)
        }
        #[cfg(not(unix))]
        {
            std::fs::metadata(p).map(|_| 0o600)
        }
    };
    let modes = (mode(&store), mode(&claimdesk_store::keys::KeyFile::path_for(&store)));
    d.quit().await?;
    outcome?;
    // Made when the admin password was set, encrypted, its key slots beside it, owner-only.
    assert_eq!(
        store_made?,
        claimdesk_store::keys::StoreFile::Encrypted,
        "no encrypted store at {} (HOME {})",
        store.display(),
        home.display()
    );
    assert_eq!((modes.0?, modes.1?), (0o600, 0o600), "the store and its key slots are the owner's only");
    Ok(())
}

async fn first_screen(d: &Desktop) -> Result<()> {
    // A fresh store: the first run asks for the admin password, in Korean.
    d.el("signin-new-password").await?;
    let title = d.text("screen-signin").await?;
    assert!(title.contains("관리자"), "the first screen is in Korean: {title:?}");
    let ok = d.check_hangul("first screen").await?;
    assert!(ok.hangul >= 10, "the first screen shows {} distinct Hangul characters: {}", ok.hangul, ok.raw);
    eprintln!("first screen: {}", ok.raw);

    // The check's self-test on the same screen: drawn in DejaVu Sans, which
    // has no Hangul (and nothing else on this fontconfig has any), every
    // syllable is the missing glyph, and the check says so.
    let missing = d.glyph_report(Some("'DejaVu Sans'")).await?;
    assert!(
        missing.problems.iter().any(|p| p.contains("draw as the missing glyph")),
        "the check did not see missing glyphs in DejaVu Sans: {:?} {}",
        missing.problems,
        missing.raw
    );
    eprintln!("drawn in DejaVu Sans: {:?}", missing.problems);
    // And drawn in the bundled family alone, every syllable is a glyph of its own.
    let own = d.glyph_report(Some(&format!("'{BUNDLED_FONT}'"))).await?;
    assert!(own.problems.is_empty(), "the bundled family alone: {:?}", own.problems);

    // Setting the admin password makes the encrypted store; its recovery key
    // is shown once, in Korean, until the admin says they have kept it.
    d.fill("signin-new-password", "first-screen-pw").await?;
    d.fill("signin-confirm-password", "first-screen-pw").await?;
    d.click("signin-submit").await?;
    d.el("screen-recovery-key").await?;
    let shown = d.text("screen-recovery-key").await?;
    assert!(shown.contains("복구 키"), "the recovery key screen is in Korean: {shown:?}");
    d.check_hangul("recovery key").await?;
    d.click("recovery-kept").await?;
    d.click("recovery-continue").await?;
    d.el("screen-first-run").await?;
    Ok(())
}
