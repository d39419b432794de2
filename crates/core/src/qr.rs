//! QR codes for the customer to scan: SVG for the desktop UI, Unicode blocks for a terminal.

use qrcode::{EcLevel, QrCode, render::svg, render::unicode};

use crate::Error;

fn code(text: &str) -> Result<QrCode, Error> {
    // Level M survives a scratched or glare-covered screen and keeps WeChat URLs small.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(format!("cannot draw a QR code for this URL: {e}")))
}

/// Two modules per character cell, dark on light, with the quiet zone scanners need.
pub fn terminal(text: &str) -> Result<String, Error> {
    Ok(code(text)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

pub fn svg(text: &str, size_px: u32) -> Result<String, Error> {
    Ok(code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(size_px, size_px)
        .quiet_zone(true)
        .build())
}
