//! The printer on the status bar: what the print worker last learnt of it, and the jobs waiting,
//! in words of the till's language.

use super::printing::PrinterView;
use super::{Till, read};
use crate::Lang;
use crate::print::PrintFault;

impl Till {
    /// The printer for the status bar: what the worker last learnt of it and the jobs waiting.
    pub fn printer_status(&self) -> PrinterView {
        let cfg = read(&self.inner.cfg);
        let url = cfg.printer.url.trim().to_string();
        drop(cfg);
        let lang = self.lang();
        if url.is_empty() {
            return PrinterView {
                configured: false,
                url: None,
                state: None,
                online: None,
                waiting: 0,
                since: None,
                label: lang.pick(["打印机 未设置", "No printer"]).to_string(),
                fault: false,
                message: None,
            };
        }
        let waiting = self.inner.journal.waiting_print_jobs().unwrap_or_else(|e| {
            tracing::warn!("counting the print jobs waiting: {e}");
            0
        });
        let known = self.inner.printing.known();
        let since = known.since.map(|t| t.with_timezone(&self.business_tz()));
        let since_text = since.map(|t| t.format("%H:%M").to_string());
        let (words, fault, message) = match (&known.fault, &known.unprintable) {
            (Some(PrintFault::Offline(_)), _) => (
                match (lang, &since_text) {
                    (Lang::ZhCn, Some(t)) => format!("离线 自 {t}"),
                    (Lang::En, Some(t)) => format!("offline since {t}"),
                    (Lang::ZhCn, None) => "离线".into(),
                    (Lang::En, None) => "offline".into(),
                },
                true,
                known.fault.as_ref().map(|f| fault_words(f, lang)),
            ),
            (Some(f), _) => (
                f.state().map_or_else(
                    || lang.pick(["不能打印", "cannot print"]).to_string(),
                    |s| lang.pick(s.words()).to_string(),
                ),
                true,
                Some(fault_words(f, lang)),
            ),
            (None, Some(why)) => (
                lang.pick(["有单据无法打印", "a job cannot print"])
                    .to_string(),
                true,
                Some(fault_words(&PrintFault::Unprintable(why.clone()), lang)),
            ),
            (None, None) => match known.state {
                Some(state) => (lang.pick(state.words()).to_string(), false, None),
                None => (
                    lang.pick(["未检测", "not checked yet"]).to_string(),
                    false,
                    None,
                ),
            },
        };
        let queue = match (waiting, lang) {
            (0, _) => String::new(),
            (n, Lang::ZhCn) => format!(" · {n} 张待打印"),
            (n, Lang::En) => format!(" · {n} waiting"),
        };
        let label = match lang {
            Lang::ZhCn => format!("打印机 {words}{queue}"),
            Lang::En => format!("Printer {words}{queue}"),
        };
        PrinterView {
            configured: true,
            url: Some(url),
            state: known.state,
            online: known.online,
            waiting,
            since: since_text.filter(|_| fault),
            label,
            fault,
            message,
        }
    }
}

/// A fault in the till's language.
fn fault_words(f: &PrintFault, lang: Lang) -> String {
    let (en, zh) = f.words();
    lang.pick([zh, en])
}
