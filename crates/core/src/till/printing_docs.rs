//! The documents a till prints, composed from the journal's rows when they print (a job names
//! its rows; it holds no text), and their previews from the printer's own bytes read back.

use std::sync::Arc;

use chrono::NaiveDate;

use super::{Till, read};
use crate::journal::PrintJob;
use crate::print::{
    self, CodePage, Doc, Paper, Preview, PreviewLine, PrintKind, Printer, PrinterSetup, PrinterUrl,
    SlipHeader,
};
use crate::reasons::{ConfigError, NotAllowed};
use crate::{AttemptId, AttemptState, Error, Fen, RefundState, receipts};

/// Pixels of a preview's QR code (the screen scales it).
const QR_PREVIEW_PX: u32 = 160;

impl Till {
    /// The printer driver this till was given; a till opened for reading has none.
    pub(super) fn printer_driver(&self) -> Result<Arc<dyn Printer>, Error> {
        self.inner
            .options
            .printer
            .clone()
            .ok_or(Error::NotAllowed(NotAllowed::PrintingOff))
    }

    /// The printer the settings name, if any.
    pub(super) fn configured_printer(&self) -> Result<Option<PrinterSetup>, Error> {
        read(&self.inner.cfg)
            .printer
            .setup()
            .map_err(|e| ConfigError::said("printer.url", e.en(), e.zh()).into())
    }

    /// The printer the settings name; none is an error.
    pub(super) fn printer_setup(&self) -> Result<PrinterSetup, Error> {
        self.configured_printer()?
            .ok_or(Error::NotAllowed(NotAllowed::NoPrinter))
    }

    /// What a preview is laid out for: the configured printer, else an 80 mm roll in GBK.
    fn preview_setup(&self) -> Result<PrinterSetup, Error> {
        Ok(self.configured_printer()?.unwrap_or(PrinterSetup {
            url: PrinterUrl::File("preview".into()),
            paper: Paper::Mm80,
            code_page: CodePage::Gbk,
        }))
    }

    /// `doc` as the printer's bytes would print it, its QR codes drawn for the screen.
    pub(super) async fn preview(&self, doc: Doc) -> Result<Preview, Error> {
        let printer = self.printer_driver()?;
        let setup = self.preview_setup()?;
        let read_back = tokio::task::spawn_blocking(move || printer.preview(&setup, &doc))
            .await
            .map_err(|e| Error::Internal(format!("the preview stopped: {e}")))?;
        let mut preview = read_back?;
        for line in &mut preview.lines {
            if let PreviewLine::Qr { payload, svg } = line {
                *svg = crate::qr::svg(payload, QR_PREVIEW_PX)?;
            }
        }
        Ok(preview)
    }

    /// The top of every slip: the shop (configured, else the merchant from the login, else
    /// the till), the till and the business zone.
    fn slip_header(&self) -> Result<SlipHeader, Error> {
        let merchant = read(&self.inner.session)
            .as_ref()
            .and_then(|s| s.merchant.clone());
        let cfg = read(&self.inner.cfg);
        Ok(SlipHeader {
            shop: SlipHeader::shop_name(&cfg.shop, merchant.as_deref(), &cfg.till),
            till: cfg.till.clone(),
            tz: cfg.tz()?,
        })
    }

    /// The document a job prints, composed now from the rows it names.
    pub(super) fn job_doc(&self, job: &PrintJob) -> Result<Doc, Error> {
        let missing = |what: &str| Error::Internal(format!("print job {}: no {what}", job.id));
        match job.kind {
            PrintKind::Slip => self.slip_doc(
                job.attempt_id.ok_or_else(|| missing("payment"))?,
                job.reprint,
            ),
            PrintKind::RefundSlip => self.refund_doc(
                job.attempt_id.ok_or_else(|| missing("payment"))?,
                job.refund_id.ok_or_else(|| missing("refund"))?,
                job.reprint,
            ),
            PrintKind::XReport => self.x_doc(job.day.ok_or_else(|| missing("day"))?),
            PrintKind::ZReport => {
                let number = job.z_number.ok_or_else(|| missing("Z number"))?;
                let copy = job.reprint || self.inner.journal.z_printed_before(number, job.id)?;
                self.z_doc(number, copy)
            }
        }
    }

    /// A payment's slip; a payment that was never paid has none.
    pub(super) fn slip_doc(&self, id: AttemptId, reprint: bool) -> Result<Doc, Error> {
        let j = &self.inner.journal;
        let a = j
            .get(id)?
            .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))?;
        if !a.state.was_paid() {
            return Err(NotAllowed::NoSlip(a.state).into());
        }
        // The time it was paid, not of a later refund.
        let paid_at = j
            .transitions(id)?
            .iter()
            .find(|t| matches!(t.to_state, AttemptState::Paid | AttemptState::PartlyPaid))
            .map_or(a.updated_at, |t| t.at);
        Ok(print::customer_slip(
            &self.slip_header()?,
            &a,
            paid_at,
            reprint,
        ))
    }

    /// A refund part's slip, with what was left to refund once it was done.
    fn refund_doc(&self, id: AttemptId, refund_id: i64, reprint: bool) -> Result<Doc, Error> {
        let j = &self.inner.journal;
        let a = j
            .get(id)?
            .ok_or_else(|| Error::NotFound(format!("no attempt {id}")))?;
        let parts = j.refunds(id)?;
        let r = parts
            .iter()
            .find(|r| r.id == refund_id)
            .ok_or_else(|| Error::NotFound(format!("no refund {refund_id}")))?;
        let refunded = parts
            .iter()
            .filter(|p| p.part <= r.part && p.state == RefundState::Refunded)
            .fold(Fen::ZERO, |sum, p| sum.saturating_add(p.amount));
        let left = a.amount.checked_sub(refunded).unwrap_or(Fen::ZERO);
        Ok(print::refund_slip(
            &self.slip_header()?,
            &a,
            r,
            left,
            reprint,
        ))
    }

    /// An X of `day` as it stands now.
    pub(super) fn x_doc(&self, day: NaiveDate) -> Result<Doc, Error> {
        let (now, tz) = (self.inner.clock.now(), self.zone()?);
        let till = read(&self.inner.cfg).till.clone();
        let today = receipts::business_day(now, tz);
        let x = self.inner.journal.x_report(day, now, today, &till, None)?;
        let lang = self.lang();
        Ok(print::closing_report(
            &self.slip_header()?.shop,
            &x.view(lang, tz, false),
            lang,
        ))
    }

    /// Stored Z `number`; `copy`: marked 副本 / DUPLICATE.
    pub(super) fn z_doc(&self, number: u64, copy: bool) -> Result<Doc, Error> {
        let tz = self.zone()?;
        let z = self
            .inner
            .journal
            .z_report(number)?
            .ok_or_else(|| Error::NotFound(format!("no Z {number}")))?;
        let lang = self.lang();
        Ok(print::closing_report(
            &self.slip_header()?.shop,
            &z.view(lang, tz, copy),
            lang,
        ))
    }
}
