//! A harness for end-to-end tests of the built ClaimDesk app: its own Xvfb
//! display, tauri-driver (which starts WebKitWebDriver, which starts the
//! app) in its own process group, a fantoccini client, and helpers that find
//! elements by `data-testid`. Every process group is killed when the
//! [`Desktop`] is dropped, also when a test panics.
//!
//! Environment: `CLAIMDESK_APP_BIN` is the app built with the UI inside
//! (`cargo build -p claimdesk-app --features custom-protocol`, see
//! scripts/test.sh); `TAURI_DRIVER` overrides where tauri-driver is found.
//!
//! Fonts: the app runs with `FONTCONFIG_FILE` at tests/e2e/fonts/no-system-cjk.conf
//! (DejaVu only; checked with fc-list to have no Hangul glyph), so every
//! Korean character on screen must come from the font the app bundles, and
//! [`Desktop::check_hangul`] (run before every screenshot) fails a screen whose
//! Hangul is drawn as missing-glyph boxes.
//! The tests run when `CLAIMDESK_APP_BIN` or `CI` is set at build time (see
//! build.rs) and then fail when the app is missing; otherwise `cargo test`
//! reports them ignored. Screenshots go to `CLAIMDESK_SCREENSHOTS`, by default
//! `<target dir>/e2e-screenshots` (never into the repository: scripts/screenshots.sh
//! copies them to docs/screenshots). `axe` runs axe-core (from the root
//! node_modules, `npm ci`) in the window.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod team;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
pub use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

pub type Result<T, E = Box<dyn std::error::Error + Send + Sync>> = std::result::Result<T, E>;

/// How long to wait for an element or a state.
pub const WAIT: Duration = Duration::from_secs(30);

/// How long a screenshot waits for the display to settle.
pub const SETTLE: Duration = Duration::from_secs(6);

/// The Korean font family the UI bundles (ui/src/main.ts, app.css).
pub const BUNDLED_FONT: &str = "Noto Sans KR Variable";

/// The page-side glyph check (see the file's header).
const GLYPH_CHECK: &str = include_str!("glyphs.js");

/// The fontconfig configuration the app runs with: no system CJK font.
pub fn fontconfig_file() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("fonts/no-system-cjk.conf")
}

/// The font files that fontconfig, configured by `config` (with its cache
/// under `cache_home`), offers for Hangul (U+AC00 가): empty for
/// [`fontconfig_file`], or the test would not prove that the app brings its
/// own font.
pub fn fonts_with_hangul(config: &Path, cache_home: &Path) -> Result<Vec<String>> {
    let out = Command::new("fc-list")
        .args([":charset=ac00", "file"])
        .env("FONTCONFIG_FILE", config)
        .env("XDG_CACHE_HOME", cache_home)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("fc-list (package fontconfig) could not run: {e}"))?;
    if !out.status.success() {
        return Err(format!("fc-list failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

/// What the glyph check saw on one screen.
#[derive(Debug, Clone)]
pub struct GlyphReport {
    /// Distinct Hangul characters shown.
    pub hangul: u64,
    /// Why the Hangul is not readable; empty when it is.
    pub problems: Vec<String>,
    /// The whole answer (face statuses, fonts drawn), for messages.
    pub raw: serde_json::Value,
}

/// A process started in its own process group; the whole group is killed on drop.
pub struct Group {
    child: Child,
    name: &'static str,
}

impl Group {
    /// Starts `cmd` in a new process group, stdout and stderr to `log` (never a pipe).
    pub fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Result<Group> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        cmd.stdin(Stdio::null()).stdout(Stdio::from(out)).stderr(Stdio::from(err)).process_group(0);
        let child = cmd.spawn().map_err(|e| format!("could not start {name}: {e}"))?;
        Ok(Group { child, name })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the leader has exited.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let signal = |sig: &str| {
            let _ = Command::new("kill")
                .args([sig, "--", &group])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        signal("-TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && !self.exited() {
            std::thread::sleep(Duration::from_millis(50));
        }
        // The leader may be gone while others of the group live on: always finish with KILL.
        signal("-KILL");
        let _ = self.child.wait();
        eprintln!("e2e: stopped {} (process group {})", self.name, self.child.id());
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, group: &mut Group, log: &Path) -> Result<()> {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if group.exited() {
            return Err(format!(
                "{} exited early; its log {}:\n{}",
                group.name,
                log.display(),
                std::fs::read_to_string(log).unwrap_or_default()
            )
            .into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("{} did not listen on port {port}", group.name).into())
}

/// A free X display number (no lock file, no socket).
fn free_display() -> u32 {
    (90..190)
        .map(|n| n + std::process::id() % 50)
        .find(|n| {
            !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
        })
        .unwrap_or(189)
}

fn find_tauri_driver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return Some(PathBuf::from(p));
    }
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join("tauri-driver")).find(|p| p.is_file())
}

/// The app under test: `CLAIMDESK_APP_BIN`. Unset, empty or not a file is
/// an error (the tests that call this run only when it or `CI` is set:
/// build.rs), never a silent skip.
pub fn app_binary() -> Result<PathBuf> {
    let Some(bin) = std::env::var_os("CLAIMDESK_APP_BIN").filter(|b| !b.is_empty()).map(PathBuf::from) else {
        return Err("CLAIMDESK_APP_BIN is not set: the end-to-end tests need the app built with the UI inside; \
                    scripts/test.sh builds it and sets CLAIMDESK_APP_BIN (and CI=1, so these tests never pass without it)"
            .into());
    };
    if !bin.is_file() {
        return Err(format!(
            "CLAIMDESK_APP_BIN={} does not exist; build it with scripts/test.sh (or scripts/screenshots.sh)",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

/// Where screenshots go: `CLAIMDESK_SCREENSHOTS`, else `e2e-screenshots` in
/// the target dir this test was built into (outside the tracked files).
pub fn screenshot_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CLAIMDESK_SCREENSHOTS").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    // <target>/debug/deps/<test binary>
    let exe = std::env::current_exe()?;
    let target = exe.ancestors().nth(3).ok_or("the test binary is not in a cargo target dir")?;
    Ok(target.join("e2e-screenshots"))
}

/// The repository's root (for fixtures and node_modules).
pub fn repo_root() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("run through cargo, which sets CARGO_MANIFEST_DIR"),
    )
    .join("../..")
}

/// axe-core's script, installed by `npm ci` at the repository root (package.json).
fn axe_source() -> Result<String> {
    let path = repo_root().join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .map_err(|e| format!("axe-core is missing ({}: {e}); run `npm ci` at the repository root (scripts/common.sh setup_app does)", path.display()).into())
}

/// One accessibility problem axe-core found.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    /// CSS selectors of the elements, with axe's summary of what to fix.
    pub nodes: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "[{}] {}: {}", self.impact, self.rule, self.help)?;
        for n in &self.nodes {
            writeln!(f, "    {n}")?;
        }
        Ok(())
    }
}

/// The file of answers to the app's save dialogs ([`Desktop::answer_dialogs`]).
fn dialog_answers(home: &Path) -> PathBuf {
    home.join("e2e-dialogs.json")
}

/// One running app with its own display, home, data dirs and store.
pub struct Desktop {
    // Field order is drop order: the driver (and the app under it) before the display.
    driver: Group,
    xvfb: Group,
    pub client: Client,
    pub display: String,
    pub home: tempfile::TempDir,
    /// The store given to [`Desktop::launch`] (CLAIMDESK_DB), if any.
    pub store: Option<PathBuf>,
    /// Where screenshots go ([`screenshot_dir`]).
    pub shots: PathBuf,
}

impl Desktop {
    /// Starts Xvfb, tauri-driver and the app on the store at `store`.
    pub async fn launch(app: &Path, store: &Path) -> Result<Desktop> {
        Self::launch_with(app, Some(store)).await
    }

    /// Starts Xvfb, tauri-driver and the app; without a store the app opens
    /// its default one, in the app data dir of the fresh HOME.
    pub async fn launch_with(app: &Path, store: Option<&Path>) -> Result<Desktop> {
        if !app.is_file() {
            return Err(
                format!("the app {} does not exist; build it with scripts/test.sh", app.display()).into()
            );
        }
        let driver_bin = find_tauri_driver().ok_or(
            "tauri-driver was not found; `cargo install tauri-driver --locked` (scripts/common.sh does)",
        )?;
        let home = tempfile::tempdir()?;
        let logs = home.path().join("logs");
        std::fs::create_dir_all(&logs)?;

        let n = free_display();
        let display = format!(":{n}");
        let mut xvfb_cmd = Command::new("Xvfb");
        // The size of the app's window (tauri.conf.json), so a screenshot of the screen is the window.
        xvfb_cmd.args([display.as_str(), "-screen", "0", "1360x860x24", "-nolisten", "tcp"]);
        let xvfb_log = logs.join("xvfb.log");
        let xvfb = Group::spawn("Xvfb", xvfb_cmd, &xvfb_log)?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + WAIT;
        while !socket.exists() {
            if Instant::now() > deadline {
                return Err(format!(
                    "Xvfb did not start on {display}: {}",
                    std::fs::read_to_string(&xvfb_log).unwrap_or_default()
                )
                .into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }

        let (port, native_port) = (free_port()?, free_port()?);
        // No system font with Hangul for the app: the Korean on screen must be its own.
        let fontconfig = fontconfig_file();
        let with_hangul = fonts_with_hangul(&fontconfig, &home.path().join("cache"))?;
        if !with_hangul.is_empty() {
            return Err(format!(
                "{} still lets the app find fonts with Hangul: {with_hangul:?}",
                fontconfig.display()
            )
            .into());
        }
        let mut cmd = Command::new(driver_bin);
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("FONTCONFIG_FILE", &fontconfig)
            .env("RUST_LOG", "claimdesk_app=info")
            .env("CLAIMDESK_E2E_DIALOGS", dialog_answers(home.path()));
        match store {
            Some(store) => cmd.env("CLAIMDESK_DB", store),
            // The app's own default: the app data dir under this fresh HOME.
            None => cmd.env_remove("CLAIMDESK_DB"),
        };
        let driver_log = logs.join("tauri-driver.log");
        let mut driver = Group::spawn("tauri-driver", cmd, &driver_log)?;
        wait_for_port(port, &mut driver, &driver_log)?;
        // tauri-driver answers before the WebKitWebDriver it started listens.
        wait_for_port(native_port, &mut driver, &driver_log)?;

        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert("tauri:options".into(), serde_json::json!({ "application": app }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| {
                format!(
                    "no WebDriver session ({e}); tauri-driver log:\n{}",
                    std::fs::read_to_string(&driver_log).unwrap_or_default()
                )
            })?;
        let shots = screenshot_dir()?;
        std::fs::create_dir_all(&shots)?;
        Ok(Desktop { driver, xvfb, client, display, home, store: store.map(Path::to_path_buf), shots })
    }

    fn css(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// The element with this test id, waiting for it to appear.
    pub async fn el(&self, testid: &str) -> Result<Element> {
        let css = Self::css(testid);
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&css))
            .await
            .map_err(|e| format!("no element [data-testid={testid}] after {WAIT:?}: {e}").into())
    }

    /// Whether an element with this test id is there now (no waiting).
    pub async fn has(&self, testid: &str) -> bool {
        self.client.find(Locator::Css(&Self::css(testid))).await.is_ok()
    }

    pub async fn click(&self, testid: &str) -> Result<()> {
        let el = self.el(testid).await?;
        // Wait until it is enabled (buttons are disabled while work runs).
        let deadline = Instant::now() + WAIT;
        while !el.is_enabled().await? {
            if Instant::now() > deadline {
                return Err(format!("[data-testid={testid}] stayed disabled").into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let zoom = self
            .js("document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' }); return Number(document.documentElement.dataset.zoom || 100);", vec![Self::css(testid).into()])
            .await?;
        if zoom.as_f64().is_some_and(|z| (z - 100.0).abs() > 0.5) {
            // WebKitWebDriver clicks at the element's place as it would be
            // without the page zoom (the app's zoom setting), so it misses:
            // while zoomed, the click is dispatched to the element by script.
            self.js("document.querySelector(arguments[0]).click();", vec![Self::css(testid).into()]).await?;
            return Ok(());
        }
        match el.click().await {
            Ok(()) => Ok(()),
            // A toast over the button: click it the way the browser would dispatch it.
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted =>
            {
                self.js("document.querySelector(arguments[0]).click();", vec![Self::css(testid).into()])
                    .await?;
                Ok(())
            }
            Err(e) => Err(format!("click on [data-testid={testid}]: {e}").into()),
        }
    }

    /// Replaces the value of an input, textarea or select as typing would
    /// (the value, then `input` and `change` events). WebKitWebDriver's
    /// element-send-keys refuses fantoccini's request ("Missing text
    /// parameter"), so the value is set by script.
    /// A screen that reloads may replace the element meanwhile: setting the
    /// value is tried again until it holds.
    pub async fn fill(&self, testid: &str, text: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            self.el(testid).await?;
            if self.try_fill(testid, text).await? {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("could not set [data-testid={testid}] to {text:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    async fn try_fill(&self, testid: &str, text: &str) -> Result<bool> {
        let done = self
            .js(
                "const el = document.querySelector(arguments[0]);
                 if (!el) return false;
                 const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
                     : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, arguments[1]);
                 el.dispatchEvent(new Event('input', { bubbles: true }));
                 el.dispatchEvent(new Event('change', { bubbles: true }));
                 return el.value === arguments[1];",
                vec![Self::css(testid).into(), text.into()],
            )
            .await?;
        Ok(done == serde_json::Value::Bool(true))
    }

    /// Chooses an option of a select by its value.
    pub async fn select(&self, testid: &str, value: &str) -> Result<()> {
        self.fill(testid, value).await
    }

    /// The element's rendered text (`innerText`, by script: WebKitWebDriver's
    /// get-element-text answered empty strings for visible text here).
    pub async fn text(&self, testid: &str) -> Result<String> {
        self.el(testid).await?;
        Ok(self.text_now(testid).await.unwrap_or_default())
    }

    async fn text_now(&self, testid: &str) -> Option<String> {
        let v = self
            .js(
                "const el = document.querySelector(arguments[0]); return el ? el.innerText : null;",
                vec![Self::css(testid).into()],
            )
            .await
            .ok()?;
        v.as_str().map(str::to_string)
    }

    pub async fn is_enabled(&self, testid: &str) -> Result<bool> {
        Ok(self.el(testid).await?.is_enabled().await?)
    }

    /// Waits until the element's text contains `needle`; returns the text.
    pub async fn wait_text(&self, testid: &str, needle: &str) -> Result<String> {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text_now(testid).await.unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "[data-testid={testid}] never contained {needle:?}; last text: {text:?}"
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until no element has this test id.
    pub async fn wait_gone(&self, testid: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        while self.has(testid).await {
            if Instant::now() > deadline {
                return Err(format!("[data-testid={testid}] did not go away").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        Ok(())
    }

    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Goes to a screen of the hash router (`#/claim/D22-…`).
    pub async fn go(&self, hash: &str) -> Result<()> {
        self.js("location.hash = arguments[0];", vec![hash.into()]).await?;
        Ok(())
    }

    /// Queues answers for the app's file dialogs, which it opens in Rust
    /// (src-tauri/src/dialogs.rs): the app built with `e2e-dialogs` reads
    /// them from the file `CLAIMDESK_E2E_DIALOGS` names, one answer per
    /// dialog, in order.
    pub async fn answer_dialogs(&self, open: &[&Path], save: &[&Path]) -> Result<()> {
        self.answer_dialogs_with_folders(open, save, &[]).await
    }

    /// [`Desktop::answer_dialogs`] with the folders the folder dialog answers, in order.
    pub async fn answer_dialogs_with_folders(
        &self,
        open: &[&Path],
        save: &[&Path],
        folder: &[&Path],
    ) -> Result<()> {
        let list = |ps: &[&Path]| {
            serde_json::Value::from(ps.iter().map(|p| p.display().to_string()).collect::<Vec<_>>())
        };
        let answers = serde_json::json!({ "open": list(open), "save": list(save), "folder": list(folder) });
        std::fs::write(dialog_answers(self.home.path()), answers.to_string())?;
        Ok(())
    }

    /// Waits until the window shows settled content: no toast (they are
    /// dismissed), nothing marked `aria-busy="true"` (loading rows, pages,
    /// reports), fonts loaded, and two frames painted.
    pub async fn settle(&self) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let state = self
                .js(
                    "document.querySelectorAll('[data-testid=\"toast-dismiss\"]').forEach((b) => b.click());
                     const busy = [...document.querySelectorAll('[aria-busy=\"true\"]')].map((e) => e.getAttribute('data-testid') || e.tagName);
                     const toasts = document.querySelectorAll('[data-testid^=\"toast-\"]:not([data-testid=\"toast-dismiss\"])').length;
                     return { busy, toasts, fonts: document.fonts ? document.fonts.status : 'loaded' };",
                    vec![],
                )
                .await?;
            let busy = state["busy"].as_array().map(Vec::len).unwrap_or(0);
            if busy == 0 && state["toasts"].as_u64() == Some(0) && state["fonts"] == "loaded" {
                break;
            }
            if Instant::now() > deadline {
                return Err(
                    format!("the screen did not settle (still busy or showing a toast): {state}").into()
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        // Two animation frames: what the DOM says is on screen is painted.
        self.client
            .execute_async("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));", vec![])
            .await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        Ok(())
    }

    /// Runs the glyph check (glyphs.js) on the screen as it is. With
    /// `family`, draws the screen's Hangul in that font-family list instead
    /// of each element's own (the check's self-test).
    pub async fn glyph_report(&self, family: Option<&str>) -> Result<GlyphReport> {
        let family = family.map_or(serde_json::Value::Null, serde_json::Value::from);
        let raw = self.client.execute_async(GLYPH_CHECK, vec![BUNDLED_FONT.into(), family]).await?;
        let hangul = raw.get("hangul").and_then(serde_json::Value::as_u64).unwrap_or(0);
        let problems = raw
            .get("problems")
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string)).collect())
            .unwrap_or_else(|| vec![format!("the glyph check gave no answer: {raw}")]);
        Ok(GlyphReport { hangul, problems, raw })
    }

    /// Fails unless the screen shows Hangul and draws all of it with real
    /// glyphs of the bundled font (no missing-glyph boxes).
    pub async fn check_hangul(&self, screen: &str) -> Result<GlyphReport> {
        let report = self.glyph_report(None).await?;
        if report.hangul == 0 {
            return Err(format!(
                "{screen}: no Hangul on screen to check (the UI should be in Korean): {}",
                report.raw
            )
            .into());
        }
        if !report.problems.is_empty() {
            return Err(format!(
                "{screen}: Hangul is not drawn with real glyphs:\n  {}\n{}",
                report.problems.join("\n  "),
                report.raw
            )
            .into());
        }
        Ok(report)
    }

    /// Saves the window as `<name>.png` in [`Desktop::shots`] once the screen
    /// has settled and its Hangul is drawn with real glyphs. A blank capture
    /// (one colour: the window was not painted yet) is taken again, and is an
    /// error if it stays blank.
    pub async fn shot(&self, name: &str) -> Result<PathBuf> {
        self.settle().await?;
        self.check_hangul(name).await?;
        for attempt in 0..5 {
            let path = self.capture(name).await?;
            if !is_blank(&path)? {
                return Ok(path);
            }
            tokio::time::sleep(Duration::from_millis(500 * (attempt + 1))).await;
        }
        Err(format!("the screenshot {name}.png stays blank (one colour)").into())
    }

    /// Saves the whole screen as `<name>.png`, unchecked (also for the screen
    /// of a failure), once the display has settled: the window shows a frame
    /// some time after the page has laid it out (here up to about a second
    /// after the fonts loaded, and blank before the first one), so frames are
    /// grabbed until three in a row are the same (or [`SETTLE`] has passed:
    /// then the last one).
    pub async fn capture(&self, name: &str) -> Result<PathBuf> {
        let path = self.shots.join(format!("{name}.png"));
        let grab = || -> Result<Vec<u8>> {
            let out = Command::new("import")
                .args(["-display", &self.display, "-window", "root", "ppm:-"])
                .stdin(Stdio::null())
                .output()?;
            if !out.status.success() || out.stdout.is_empty() {
                return Err(format!(
                    "`import` could not grab the screen for {}: {}",
                    path.display(),
                    String::from_utf8_lossy(&out.stderr)
                )
                .into());
            }
            Ok(out.stdout)
        };
        let deadline = Instant::now() + SETTLE;
        let mut frame = grab()?;
        let mut same = 0;
        // Three frames alike over 600 ms: a stale frame has been seen to stay up for 300 ms or more.
        while same < 2 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let next = grab()?;
            same = if next == frame { same + 1 } else { 0 };
            frame = next;
        }
        let mut convert = Command::new("convert")
            .args(["ppm:-", &format!("png:{}", path.display())])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        std::io::Write::write_all(convert.stdin.as_mut().ok_or("no stdin for `convert`")?, &frame)?;
        drop(convert.stdin.take());
        if !convert.wait()?.success() {
            return Err(format!("`convert` could not write the screenshot {}", path.display()).into());
        }
        Ok(path)
    }

    /// Runs axe-core over the whole window and returns its violations of
    /// impact `serious` or `critical`, WCAG 2.x A and AA rules. axe's source
    /// is injected through WebDriver (the app's CSP rightly refuses any
    /// script that is not the app's own).
    pub async fn axe(&self) -> Result<Vec<Violation>> {
        self.settle().await?;
        let loaded = self
            .js("return typeof window.axe === 'object' && typeof window.axe.run === 'function';", vec![])
            .await?;
        if loaded != serde_json::Value::Bool(true) {
            let source = axe_source()?;
            self.js(&format!("{source}\n;return typeof window.axe;"), vec![]).await?;
        }
        let report = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.axe.run(document, {
                     runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
                     resultTypes: ['violations'],
                 }).then((r) => done({ ok: r.violations.map((v) => ({
                     rule: v.id, impact: v.impact || '', help: v.help,
                     nodes: v.nodes.slice(0, 8).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 300)),
                 })) }), (e) => done({ error: String(e) }));",
                vec![],
            )
            .await?;
        if let Some(e) = report.get("error") {
            return Err(format!("axe-core failed: {e}").into());
        }
        let list = report["ok"].as_array().cloned().unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|v| Violation {
                rule: v["rule"].as_str().unwrap_or_default().to_string(),
                impact: v["impact"].as_str().unwrap_or_default().to_string(),
                help: v["help"].as_str().unwrap_or_default().to_string(),
                nodes: v["nodes"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|n| n.as_str().map(String::from)).collect())
                    .unwrap_or_default(),
            })
            .filter(|v| v.impact == "serious" || v.impact == "critical")
            .collect())
    }

    /// Fails with the list when axe-core finds a serious or critical problem on this screen.
    pub async fn assert_accessible(&self, screen: &str) -> Result<()> {
        let found = self.axe().await?;
        if found.is_empty() {
            return Ok(());
        }
        let list: String = found.iter().map(|v| v.to_string()).collect();
        let _ = self.shot(&format!("zz-a11y-{screen}")).await;
        Err(format!(
            "axe-core: {} serious or critical accessibility problem(s) on the {screen} screen:\n{list}",
            found.len()
        )
        .into())
    }

    /// Presses and releases each key in turn where the focus is (WebDriver
    /// actions: real key events, as a person at the keyboard makes them).
    pub async fn keys(&self, keys: &[Key]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".into());
        for k in keys {
            let c: char = (*k).into();
            actions = actions.then(KeyAction::Down { value: c }).then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// A modifier held while a key is pressed (Ctrl+0).
    pub async fn chord(&self, modifier: Key, key: char) -> Result<()> {
        let m: char = modifier.into();
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: m })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: m });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Waits until `script` returns true.
    pub async fn wait_js(&self, script: &str, what: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.js(script, vec![]).await? == serde_json::Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("waited in vain for {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The `data-testid` (else the tag and text) of the focused element.
    pub async fn focused(&self) -> Result<String> {
        let v = self
            .js(
                "const el = document.activeElement;
                 if (!el) return '';
                 return el.getAttribute('data-testid') || (el.tagName.toLowerCase() + ':' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40));",
                vec![],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Ends the WebDriver session (the app closes) and stops every process.
    pub async fn quit(self) -> Result<()> {
        let Desktop { driver, xvfb, client, home, .. } = self;
        let closed = client.close().await;
        drop(driver);
        drop(xvfb);
        drop(home);
        closed?;
        Ok(())
    }

    /// The pids of the process groups (for diagnostics).
    pub fn groups(&self) -> (u32, u32) {
        (self.driver.id(), self.xvfb.id())
    }
}

/// Whether a PNG is one colour (ImageMagick `identify`).
fn is_blank(path: &Path) -> Result<bool> {
    let out = Command::new("identify")
        .args(["-format", "%k", &path.display().to_string()])
        .stdin(Stdio::null())
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "`identify` could not read {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let colours: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
    Ok(colours <= 2)
}
