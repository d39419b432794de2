//! What a soak till pays next: a channel (all six of `cashier_core::Channel`), what the
//! customer does (the sandbox's code scenarios for barcodes, the customer page for QR codes),
//! and a random amount.
//!
//! Only scenarios that end by themselves within the till's poll windows are drawn (no `4444`
//! "pending forever", no password slower than the barcode give-up): an Unknown in the soak must
//! come from a fault, never from the plan.

use cashier_core::Channel;
use cashier_core::backend::cloudpay::Platform;
use rand::Rng;
use rand::rngs::StdRng;

/// What the customer does with a barcode: the last four digits of the code.
#[derive(Debug, Clone, Copy)]
pub struct CodeScenario {
    pub name: &'static str,
    /// `None`: four digits that select nothing special (paid at once).
    pub tail: Option<&'static str>,
    pub weight: u32,
}

pub const CODE_SCENARIOS: [CodeScenario; 7] = [
    CodeScenario {
        name: "paid",
        tail: None,
        weight: 50,
    },
    // The customer types a password: paid 3, 6 or 9 s after the pay call.
    CodeScenario {
        name: "password",
        tail: Some("100"),
        weight: 15,
    },
    CodeScenario {
        name: "declined",
        tail: Some("2222"),
        weight: 10,
    },
    CodeScenario {
        name: "charged-busy",
        tail: Some("7003"),
        weight: 10,
    },
    CodeScenario {
        name: "charged-wait",
        tail: Some("7103"),
        weight: 5,
    },
    CodeScenario {
        name: "code-expired",
        tail: Some("3333"),
        weight: 5,
    },
    CodeScenario {
        name: "code-used",
        tail: Some("7777"),
        weight: 5,
    },
];

/// What the customer (or the cashier) does once a QR code is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrCustomer {
    /// Pays from the sandbox's customer page after a moment.
    Pays,
    /// Taps "decline" on the customer page.
    Declines,
    /// Walks away: the till gives up on it (expired, or abandoned where it cannot close it).
    LeavesIt,
    /// The cashier cancels it.
    Cancelled,
}

impl QrCustomer {
    pub fn name(self) -> &'static str {
        match self {
            QrCustomer::Pays => "customer-pays",
            QrCustomer::Declines => "customer-declines",
            QrCustomer::LeavesIt => "left-to-expire",
            QrCustomer::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone)]
pub enum What {
    Barcode {
        code: String,
        scenario: &'static str,
    },
    Qr(QrCustomer),
}

impl What {
    pub fn name(&self) -> &'static str {
        match self {
            What::Barcode { scenario, .. } => scenario,
            What::Qr(c) => c.name(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub channel: Channel,
    pub what: What,
    pub amount_fen: u64,
    /// Cloud Pay's wallet for a QR code (and the code's wallet on `cloud-barcode`).
    pub wallet: Platform,
}

impl Payment {
    /// The amount as a cashier types it: `123.45`.
    pub fn amount_text(&self) -> String {
        format!("{}.{:02}", self.amount_fen / 100, self.amount_fen % 100)
    }
}

fn digits(rng: &mut StdRng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// A code of `wallet` with `scenario`'s last four digits: WeChat 18 digits from `13`, Alipay
/// 20 digits from `28` (docs/protocols.md §4).
fn code(rng: &mut StdRng, wallet: Platform, scenario: &CodeScenario) -> String {
    let tail = match scenario.tail {
        Some("100") => format!("100{}", rng.gen_range(1..=3)),
        Some(t) => t.to_string(),
        // 5xxx selects nothing: paid at once.
        None => format!("5{}", digits(rng, 3)),
    };
    match wallet {
        Platform::Wechat => format!("13{}{tail}", digits(rng, 12)),
        Platform::Alipay => format!("28{}{tail}", digits(rng, 14)),
    }
}

pub fn next(rng: &mut StdRng) -> Payment {
    let channel = Channel::ALL[rng.gen_range(0..Channel::ALL.len())];
    // The POS endpoint takes WeChat codes only; Cloud Pay both wallets.
    let wallet = if channel == Channel::PosWechatBarcode || rng.gen_bool(0.5) {
        Platform::Wechat
    } else {
        Platform::Alipay
    };
    let amount_fen = rng.gen_range(1..=50_000);
    let what = if channel.is_qr() {
        let roll = rng.gen_range(0..100);
        What::Qr(match roll {
            0..65 => QrCustomer::Pays,
            65..75 => QrCustomer::Declines,
            75..85 => QrCustomer::LeavesIt,
            _ => QrCustomer::Cancelled,
        })
    } else {
        let total: u32 = CODE_SCENARIOS.iter().map(|s| s.weight).sum();
        let mut roll = rng.gen_range(0..total);
        let scenario = CODE_SCENARIOS
            .iter()
            .find(|s| {
                if roll < s.weight {
                    true
                } else {
                    roll -= s.weight;
                    false
                }
            })
            .unwrap_or(&CODE_SCENARIOS[0]);
        What::Barcode {
            code: code(rng, wallet, scenario),
            scenario: scenario.name,
        }
    };
    Payment {
        channel,
        what,
        amount_fen,
        wallet,
    }
}
