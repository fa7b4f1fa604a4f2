//! Harness for the end-to-end tests: starts the real app binary through tauri-driver
//! (which drives WebKitWebDriver) with its files in a temporary folder, and hands the
//! test a WebDriver client. Run under Xvfb with a D-Bus session and an unlocked
//! gnome-keyring (`make e2e`, through scripts/with-keyring.sh). Each app files its keys
//! under a keychain service of its own, and its output goes to `target/e2e/<name>.log`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, OwnedMutexGuard};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// How long to wait for the driver to answer or for an element to appear. Generous,
/// because a cold WebKit start on a loaded 2-core CI machine is slow; a passing test
/// never waits this long.
const PATIENCE: Duration = Duration::from_secs(40);

/// An address nothing listens on (the discard port): requests to it fail at once.
pub const CLOSED_PORT_URL: &str = "http://127.0.0.1:9/x";

/// One app at a time: the tests share one X display, and `cargo test` runs them on
/// several threads. Each [`App`] holds its turn until it is dropped.
async fn take_turn() -> OwnedMutexGuard<()> {
    static TURN: OnceLock<Arc<Mutex<()>>> = OnceLock::new();
    TURN.get_or_init(|| Arc::new(Mutex::new(())))
        .clone()
        .lock_owned()
        .await
}

/// A running app with a WebDriver session attached. Drop (or `finish`) ends both.
pub struct App {
    pub client: Client,
    driver: Child,
    /// The folder everything the app writes goes to; owned (removed on drop) unless the
    /// test gave its own (see [`App::launch_in`]).
    root: PathBuf,
    _owned_root: Option<tempfile::TempDir>,
    name: String,
    keychain_service: String,
    /// Released last, after `Drop` has stopped the driver and the app.
    _turn: OwnedMutexGuard<()>,
}

impl App {
    /// Starts the app for the test `name` (used for its screenshot file).
    pub async fn launch(name: &str) -> Result<Self, Error> {
        Self::launch_with_env(name, &[]).await
    }

    /// Like [`App::launch`], with extra environment variables for the app process.
    pub async fn launch_with_env(name: &str, env: &[(&str, &str)]) -> Result<Self, Error> {
        let root = tempfile::tempdir()?;
        let mut app = Self::launch_in(name, root.path(), env).await?;
        app._owned_root = Some(root);
        Ok(app)
    }

    /// Like [`App::launch_with_env`], with everything the app writes under `root`, which
    /// the test keeps: a second launch in the same folder sees what the first left (a
    /// restart after a crash).
    pub async fn launch_in(name: &str, root: &Path, env: &[(&str, &str)]) -> Result<Self, Error> {
        let turn = take_turn().await;
        let root = root.to_owned();
        let data_dir = root.join("data");
        let app_bin = app_binary();
        if !app_bin.exists() {
            return Err(format!(
                "app binary {} not found: build it first (`make e2e` does)",
                app_bin.display()
            )
            .into());
        }
        let port = free_port()?;
        let native_port = free_port()?;
        let keychain_service = format!("switchboard-e2e-{}-{name}", std::process::id());
        std::fs::create_dir_all(screenshot_dir())?;
        let log = std::fs::File::create(log_path(name))?;
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            // The app inherits this environment through WebKitWebDriver: keep every
            // file it writes inside the test's own folder, never in $HOME.
            .env("SWITCHBOARD_DATA_DIR", &data_dir)
            .env("XDG_DATA_HOME", root.join("xdg-data"))
            .env("XDG_CONFIG_HOME", root.join("xdg-config"))
            .env("XDG_CACHE_HOME", root.join("xdg-cache"))
            // Nothing a test starts reaches the internet: no price refresh at start-up,
            // and price sources on a closed local port (a test may override all three).
            .env("SWITCHBOARD_PRICES_REFRESH", "off")
            .env("SWITCHBOARD_PRICES_URL", CLOSED_PORT_URL)
            .env("OPENROUTER_BASE_URL", CLOSED_PORT_URL)
            .env("SWITCHBOARD_KEYCHAIN_SERVICE", &keychain_service)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut driver = cmd.spawn().map_err(|e| {
            format!(
                "could not start tauri-driver ({}): {e}",
                tauri_driver().display()
            )
        })?;

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_bin }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => break c,
                Err(e) if started.elapsed() > PATIENCE => {
                    let _ = driver.kill();
                    return Err(format!("tauri-driver did not start a session: {e}").into());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Ok(Self {
            client,
            driver,
            root,
            _owned_root: None,
            name: name.to_owned(),
            keychain_service,
            _turn: turn,
        })
    }

    /// The data folder the app was given.
    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The keychain service this app files its keys under.
    pub fn keychain_service(&self) -> &str {
        &self.keychain_service
    }

    /// Everything the app (and its drivers) printed so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(log_path(&self.name)).unwrap_or_default()
    }

    /// Runs the `switchboard` CLI with `args` on the app's data folder (and the same
    /// offline price sources) and waits for it to exit.
    pub fn cli(&self, args: &[&str]) -> Result<std::process::Output, Error> {
        self.cli_with_env(args, &[])
    }

    /// [`App::cli`] with extra environment variables.
    pub fn cli_with_env(
        &self,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<std::process::Output, Error> {
        let bin = cli_binary();
        let root = &self.root;
        Command::new(&bin)
            .args(args)
            .envs(env.iter().copied())
            .env("SWITCHBOARD_KEYCHAIN_SERVICE", &self.keychain_service)
            .env("SWITCHBOARD_DATA_DIR", self.data_dir())
            .env("XDG_DATA_HOME", root.join("xdg-data"))
            .env("XDG_CONFIG_HOME", root.join("xdg-config"))
            .env("XDG_CACHE_HOME", root.join("xdg-cache"))
            .env("SWITCHBOARD_PRICES_URL", CLOSED_PORT_URL)
            .env("OPENROUTER_BASE_URL", CLOSED_PORT_URL)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                format!(
                    "could not run the CLI ({}): {e}; build it first (`cargo build --workspace`)",
                    bin.display()
                )
                .into()
            })
    }

    /// Waits for the element with this `data-testid` to exist.
    pub async fn by_test_id(&self, id: &str) -> Result<Element, Error> {
        let el = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await?;
        Ok(el)
    }

    /// Finds the element and runs `act` on it; when the page replaced the element in
    /// between (Svelte re-creates a row whose data changed, and a slow machine widens
    /// that window), finds it again and retries, up to [`PATIENCE`].
    async fn on_element<T, F, Fut>(&self, id: &str, act: F) -> Result<T, Error>
    where
        F: Fn(Element) -> Fut,
        Fut: std::future::Future<Output = Result<T, fantoccini::error::CmdError>>,
    {
        let started = Instant::now();
        loop {
            let el = self.by_test_id(id).await?;
            match act(el).await {
                Ok(v) => return Ok(v),
                Err(e) if e.is_stale_element_reference() && started.elapsed() < PATIENCE => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The element's visible text, trimmed.
    async fn text_now(&self, id: &str) -> Result<String, Error> {
        let text = self
            .on_element(id, |el| async move { el.text().await })
            .await?;
        Ok(text.trim().to_owned())
    }

    /// Waits until the element's text is non-empty and returns it (trimmed).
    pub async fn text_of(&self, id: &str) -> Result<String, Error> {
        let started = Instant::now();
        loop {
            let text = self.text_now(id).await?;
            if !text.is_empty() || started.elapsed() > PATIENCE {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's text (trimmed) satisfies `wanted` and returns it; after
    /// [`PATIENCE`], an error naming the last text seen.
    pub async fn text_matching(
        &self,
        id: &str,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String, Error> {
        let started = Instant::now();
        loop {
            let text = self.text_now(id).await?;
            if wanted(&text) {
                return Ok(text);
            }
            if started.elapsed() > PATIENCE {
                return Err(
                    format!("{id} never showed the expected text; last seen: {text:?}").into(),
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What an input with this `data-testid` holds now.
    pub async fn value_of(&self, id: &str) -> Result<String, Error> {
        let v = self
            .on_element(id, |el| async move { el.prop("value").await })
            .await?;
        Ok(v.unwrap_or_default())
    }

    /// Replaces what the input with this `data-testid` holds by typing `text`.
    pub async fn fill(&self, id: &str, text: &str) -> Result<(), Error> {
        self.on_element(id, |input| async move {
            input.clear().await?;
            input.send_keys(text).await
        })
        .await
    }

    /// Whether an element with this `data-testid` is present and displayed now.
    pub async fn is_shown(&self, id: &str) -> Result<bool, Error> {
        let found = self
            .client
            .find_all(Locator::Css(&format!("[data-testid=\"{id}\"]")))
            .await?;
        for el in found {
            if el.is_displayed().await? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn click(&self, id: &str) -> Result<(), Error> {
        self.on_element(id, |el| async move { el.click().await })
            .await
    }

    /// Saves what the window shows now to `target/e2e/<name>-<label>.png`.
    pub async fn screenshot(&self, label: &str) -> Result<PathBuf, Error> {
        self.save_screenshot(&format!("{}-{label}", self.name))
            .await
    }

    async fn save_screenshot(&self, file_stem: &str) -> Result<PathBuf, Error> {
        // WebKitWebDriver captures the next painted frame. Without compositing (the app's
        // mode without a GPU) an idle page never paints, and the capture waited forever;
        // so a 1-pixel, all but transparent dot changes colour every frame until the
        // capture is taken. Two frames first: the picture must not lag behind the DOM the
        // assertions just read.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 const dot = document.createElement('div');\
                 dot.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;'\
                   + 'opacity:0.01;pointer-events:none;z-index:2147483647';\
                 document.documentElement.appendChild(dot);\
                 window.__e2ePaintDot = dot;\
                 let on = false;\
                 const tick = () => {\
                   if (!dot.isConnected) return;\
                   on = !on; dot.style.background = on ? '#000' : '#fff';\
                   requestAnimationFrame(tick);\
                 };\
                 tick();\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{file_stem}.png"));
        let png = self.client.screenshot().await;
        let _ = self
            .client
            .execute("window.__e2ePaintDot?.remove(); return null;", vec![])
            .await;
        std::fs::write(&path, png?)?;
        Ok(path)
    }

    /// Saves `target/e2e/<name>.png`, closes the session (which closes the app) and the driver.
    pub async fn finish(mut self) -> Result<(), Error> {
        let shot = self.save_screenshot(&self.name.clone()).await;
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        shot?;
        closed?;
        Ok(())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A failed test must not leave the driver (and the app) running, nor keys behind.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("secret-tool")
            .args(["clear", "service", &self.keychain_service])
            .stderr(Stdio::null())
            .status();
    }
}

/// Where the output of the app launched for the test `name` goes.
pub fn log_path(name: &str) -> PathBuf {
    screenshot_dir().join(format!("{name}.log"))
}

/// The cargo profile folder (`target/debug`): the test binary runs from its `deps/`.
fn profile_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug"))
}

/// The app binary under test: `SWITCHBOARD_APP_BIN`, else the debug build.
pub fn app_binary() -> PathBuf {
    std::env::var_os("SWITCHBOARD_APP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| profile_dir().join("switchboard-app"))
}

/// The `switchboard` CLI beside the app binary: `SWITCHBOARD_CLI_BIN`, else the debug build.
pub fn cli_binary() -> PathBuf {
    std::env::var_os("SWITCHBOARD_CLI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            profile_dir().join(format!("switchboard{}", std::env::consts::EXE_SUFFIX))
        })
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let local =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/.bin/tauri-driver");
    if local.exists() {
        local
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// `target/e2e`, beside the profile folder.
fn screenshot_dir() -> PathBuf {
    let profile = profile_dir();
    profile
        .parent()
        .map_or(profile.clone(), Path::to_path_buf)
        .join("e2e")
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
