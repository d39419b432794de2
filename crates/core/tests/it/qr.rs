//! The QR a customer scans off the terminal or the screen decodes, with a decoder we did not
//! write, to exactly the code URL the backend issued.

use cashier_core::qr;

const URL: &str = "weixin://wxpay/bizpayurl?pr=3oi3IB6";

/// Reads the terminal rendering back into pixels: each character is two stacked modules, the
/// glyph's ink is what a dark terminal shows light. `true` = light pixel.
fn terminal_pixels(text: &str) -> Vec<Vec<bool>> {
    let mut rows = vec![];
    for line in text.lines() {
        let (mut top, mut bottom) = (vec![], vec![]);
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected glyph {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

fn decode(pixels: &[Vec<bool>]) -> String {
    let h = pixels.len();
    let w = pixels[0].len();
    // Scale each module up so the decoder's finder-pattern search has room.
    const S: usize = 4;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * S, h * S, |x, y| {
        let light = pixels[y / S].get(x / S).copied().unwrap_or(true);
        if light { 255 } else { 0 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("decodes").1
}

#[test]
fn terminal_qr_decodes_to_the_code_url() {
    let text = qr::terminal(URL).unwrap();
    let pixels = terminal_pixels(&text);
    assert!(
        pixels.iter().all(|r| r.len() == pixels[0].len()),
        "a rectangle"
    );
    assert_eq!(decode(&pixels), URL);
    let long = format!(
        "http://192.168.1.20:8686/_sandbox/pay/{}",
        "2026112208473600000123"
    );
    assert_eq!(
        decode(&terminal_pixels(&qr::terminal(&long).unwrap())),
        long
    );
}

#[test]
fn svg_qr_is_a_sized_svg() {
    let svg = qr::svg(URL, 240).unwrap();
    assert!(
        svg.starts_with("<?xml") || svg.starts_with("<svg"),
        "{}",
        &svg[..40]
    );
    assert!(svg.contains("<svg") && svg.contains("</svg>"));
}

#[test]
fn too_long_for_a_qr_is_an_error_not_a_panic() {
    assert!(qr::terminal(&"x".repeat(5000)).is_err());
}
