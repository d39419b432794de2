//! The app's two windows: the cashier's (`main`) and the customer display, which WebDriver sees
//! as two window handles; QR codes read back off a window's pixels, as a phone would.

use std::io::Write;

use anyhow::{Context, anyhow, bail};
use fantoccini::wd::WindowHandle;

use super::gate::{self, Gate};
use super::monitors::{self, TwoMonitors};
use super::{App, AppOptions, E2eResult, WAIT, poll};

/// The customer window's title (src-tauri/src/customer.rs).
const CUSTOMER_TITLE: &str = "Customer display";

impl App {
    /// Starts the app on an X server of its own with two monitors, or gives `None` when
    /// end-to-end tests are skipped here (the reason on stderr).
    pub async fn launch_on_two_monitors(
        name: &str,
        mut options: AppOptions,
    ) -> E2eResult<Option<(App, TwoMonitors)>> {
        match gate::decide_also(monitors::missing()).map_err(|reason| anyhow!(reason))? {
            Gate::Run => {}
            Gate::Skip(reason) => {
                let _ = writeln!(std::io::stderr(), "e2e test `{name}` skipped: {reason}");
                return Ok(None);
            }
        }
        let screens = TwoMonitors::start()?;
        options.display = Some(screens.display().to_owned());
        let app = App::launch(name, options)
            .await?
            .context("the gate let the test run, then skipped it")?;
        Ok(Some((app, screens)))
    }

    /// The window handles WebDriver knows, once there are `count` of them.
    pub async fn window_handles(&self, count: usize) -> E2eResult<Vec<WindowHandle>> {
        poll(&format!("{count} windows"), WAIT, || async {
            match self.client.windows().await {
                Ok(handles) if handles.len() == count => Ok(handles),
                Ok(handles) => Err(format!("{} windows", handles.len())),
                Err(e) => Err(e.to_string()),
            }
        })
        .await
    }

    /// Makes the customer display the window WebDriver drives.
    pub async fn to_customer_window(&self) -> E2eResult<()> {
        self.to_window(true).await
    }

    /// Makes the cashier's window the one WebDriver drives.
    pub async fn to_cashier_window(&self) -> E2eResult<()> {
        self.to_window(false).await
    }

    async fn to_window(&self, customer: bool) -> E2eResult<()> {
        for handle in self.window_handles(2).await? {
            self.client.switch_to_window(handle).await?;
            let title = self.client.title().await?;
            if title.contains(CUSTOMER_TITLE) == customer {
                return Ok(());
            }
        }
        bail!(
            "no {} window",
            if customer { "customer" } else { "cashier's" }
        )
    }

    /// The payload of the one QR code in what the current window shows.
    pub async fn qr_on_screen(&self) -> E2eResult<String> {
        self.two_frames().await?;
        let png = self.client.screenshot().await?;
        decode_qr(&png)
    }

    /// The whole X screen, both windows side by side, as `target/e2e-shots/<name>.png`. Each
    /// window is made to paint what its page shows first: under a WebDriver session the window
    /// it is not driving was seen showing a frame seconds old (without WebDriver, typing
    /// through the X server, both windows paint as they change).
    pub async fn screenshot_both(&self, screens: &TwoMonitors, name: &str) -> E2eResult<()> {
        let current = self.client.window().await?;
        for handle in self.client.windows().await? {
            self.client.switch_to_window(handle).await?;
            self.two_frames().await?;
            self.client.screenshot().await?;
        }
        self.client.switch_to_window(current).await?;
        screens.screenshot(&super::page::shot_path(name))?;
        Ok(())
    }

    /// After two animation frames the page's last change is painted.
    async fn two_frames(&self) -> E2eResult<()> {
        let two_frames = "const done = arguments[arguments.length - 1];
            requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";
        self.client.execute_async(two_frames, vec![]).await?;
        Ok(())
    }
}

/// Reads the one QR code in a PNG screenshot, with a decoder we did not write (rqrr).
pub fn decode_qr(png: &[u8]) -> E2eResult<String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info()?;
    let size = reader
        .output_buffer_size()
        .context("a screenshot too large to decode")?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf)?;
    let channels = frame.color_type.samples();
    let (w, h) = (frame.width as usize, frame.height as usize);
    let luma = |x: usize, y: usize| -> u8 {
        let i = (y * w + x) * channels;
        match channels {
            1 | 2 => buf[i],
            _ => {
                let (r, g, b) = (
                    u32::from(buf[i]),
                    u32::from(buf[i + 1]),
                    u32::from(buf[i + 2]),
                );
                u8::try_from((r * 299 + g * 587 + b * 114) / 1000).unwrap_or(u8::MAX)
            }
        }
    };
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, luma);
    let grids = img.detect_grids();
    match grids.as_slice() {
        [grid] => Ok(grid.decode().map_err(|e| anyhow!("{e:?}"))?.1),
        other => bail!("{} QR codes on screen, not one", other.len()),
    }
}
