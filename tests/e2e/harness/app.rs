//! The app under test: started through tauri-driver with its data in a temporary folder, killed
//! like a crash and started again on the same data.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, anyhow};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

use super::driver::TauriDriver;
use super::gate::{self, Gate};
use super::{E2eResult, process_tree};

/// The app under test: the binary cargo built for these tests, or an installed one named by
/// `CASHIER_APP_BIN` (scripts/smoke-deb: the package's /usr/bin/cashier-app).
fn app_binary() -> PathBuf {
    match std::env::var_os("CASHIER_APP_BIN") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_cashier-app")),
    }
}

/// Without a display GTK fails to start and the session request never returns, so it gets a limit.
/// A cold debug build under load takes a few seconds to show its window.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// Writes a journal at the path it is given, before the app first opens it.
pub type JournalSeed = Box<dyn FnOnce(&Path) -> E2eResult<()>>;

#[derive(Default)]
pub struct AppOptions {
    /// Written to `config.toml` in the data folder and passed as `CASHIER_CONFIG`; without it the
    /// variable is not set and the app runs its zero-configuration default (the embedded sandbox).
    pub config_toml: Option<String>,
    /// The machine's clock zone for the app (`TZ`), e.g. one other than the business zone.
    pub machine_tz: Option<&'static str>,
    /// Run on the journal's path before the first start (the data folder exists, the file may
    /// not): a test writes what the till should find, as a long-used till would have it.
    pub seed_journal: Option<JournalSeed>,
    /// The X display for the app (`DISPLAY`), another than the test's own (two monitors).
    pub display: Option<String>,
    /// More variables for the app (e.g. `CASHIER_STORE_READER_URL`): names and values.
    pub env: Vec<(String, String)>,
}

pub struct App {
    pub(super) name: String,
    data: TempDir,
    /// What the app is given on top of the test's own environment; kept for restarts.
    env: Vec<(String, PathBuf)>,
    driver: TauriDriver,
    pub(super) client: Client,
}

impl App {
    /// Starts the app for test `name`, or gives `None` when end-to-end tests are skipped here
    /// (the reason goes to stderr, past the test harness's capture, so it is seen).
    pub async fn launch(name: &str, options: AppOptions) -> E2eResult<Option<App>> {
        match gate::decide().map_err(|reason| anyhow!(reason))? {
            Gate::Run => {}
            Gate::Skip(reason) => {
                let _ = writeln!(std::io::stderr(), "e2e test `{name}` skipped: {reason}");
                return Ok(None);
            }
        }
        let data = tempfile::Builder::new()
            .prefix(&format!("cashier-e2e-{name}-"))
            .tempdir()?;
        let mut env = app_environment(data.path());
        if let Some(tz) = options.machine_tz {
            env.push(("TZ".into(), tz.into()));
        }
        if let Some(display) = &options.display {
            env.push(("DISPLAY".into(), display.into()));
        }
        for (name, value) in &options.env {
            env.push((name.clone(), value.into()));
        }
        if let Some(config) = &options.config_toml {
            let path = data.path().join("config.toml");
            std::fs::write(&path, config)?;
            env.push(("CASHIER_CONFIG".into(), path));
        }
        if let Some(seed) = options.seed_journal {
            seed(&data.path().join("journal.db"))?;
        }
        let (driver, client) = start(data.path(), &env).await?;
        Ok(Some(App {
            name: name.to_owned(),
            data,
            env,
            driver,
            client,
        }))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The journal the app was told to use (`CASHIER_DB`).
    pub fn journal_path(&self) -> PathBuf {
        self.data.path().join("journal.db")
    }

    /// The app's process id (a child of WebKitWebDriver, under this instance's tauri-driver).
    pub fn app_pid(&self) -> E2eResult<i32> {
        let binary = app_binary();
        process_tree::find_descendant(self.driver.pid()?, &binary)
            .with_context(|| format!("no {} process under tauri-driver", binary.display()))
    }

    /// Kills the app and its WebKit processes with SIGKILL, as a crash or power cut would: nothing
    /// gets to flush or say goodbye.
    pub fn crash(&mut self) -> E2eResult<()> {
        let pid = self.app_pid()?;
        process_tree::kill_tree(pid);
        Ok(())
    }

    /// Starts the app again on the same data folder and environment, with a new driver and
    /// session (the old session died with the app).
    pub async fn restart(&mut self) -> E2eResult<()> {
        self.driver.stop();
        let (driver, client) = start(self.data.path(), &self.env).await?;
        self.driver = driver;
        self.client = client;
        Ok(())
    }

    /// Closes the window through WebDriver and stops the driver.
    pub async fn finish(mut self) -> E2eResult<()> {
        let closed = self.client.clone().close().await;
        self.driver.stop();
        closed.context("closing the WebDriver session")
    }

    pub fn log_tail(&self) -> String {
        self.driver.log_tail()
    }
}

/// The app's journal and the WebView's storage live in the test's own folder, so tests neither
/// see each other's data nor the developer's, and a restart finds what the crash left.
fn app_environment(data: &Path) -> Vec<(String, PathBuf)> {
    vec![
        ("CASHIER_DB".into(), data.join("journal.db")),
        ("XDG_DATA_HOME".into(), data.join("xdg/data")),
        ("XDG_CONFIG_HOME".into(), data.join("xdg/config")),
        ("XDG_CACHE_HOME".into(), data.join("xdg/cache")),
        ("RUST_BACKTRACE".into(), "1".into()),
    ]
}

async fn start(data: &Path, env: &[(String, PathBuf)]) -> E2eResult<(TauriDriver, Client)> {
    let driver = TauriDriver::start(env, &data.join("driver.log"))?;
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "tauri:options".into(),
        json!({ "application": app_binary() }),
    );
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities);
    match tokio::time::timeout(SESSION_TIMEOUT, builder.connect(&driver.url())).await {
        Ok(Ok(client)) => Ok((driver, client)),
        Ok(Err(e)) => Err(anyhow!(
            "WebDriver session refused: {e}\n{}",
            driver.log_tail()
        )),
        Err(_) => Err(anyhow!(
            "no WebDriver session after {SESSION_TIMEOUT:?}: the app did not open its window\n{}",
            driver.log_tail()
        )),
    }
}
