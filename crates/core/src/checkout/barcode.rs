//! Barcode payments: pay once, then poll while the customer confirms (docs/protocols.md §5.2).

use tokio::time::{Instant, sleep_until};

use super::settle::change_for;
use super::{Checkout, ms};
use crate::failpoint;
use crate::journal::Change;
use crate::{Attempt, AttemptState, CallFate, Error, PaymentCode, PaymentOutcome};

impl Checkout {
    pub(super) async fn barcode_flow(
        &self,
        a: Attempt,
        code: &PaymentCode,
    ) -> Result<Attempt, Error> {
        let guard = self.follow(a.id, None);
        let started = Instant::now();
        failpoint::hit(failpoint::AFTER_JOURNAL_BEFORE_SEND);
        let sent = self
            .with_send_retry(|| self.backends.pay_barcode(&a, code))
            .await;
        failpoint::hit(failpoint::AFTER_SEND_BEFORE_RECORD);
        let change = match sent {
            Ok(outcome) => change_for(&outcome, false),
            // What the call did with the money decides the state — never how the error is
            // worded or grouped for the screen.
            Err(e) => match e.fate() {
                // Never sent, or refused before anything moved: the attempt failed.
                CallFate::NotSent | CallFate::Refused => Change {
                    to: AttemptState::Failed,
                    raw_status: format!("not processed: {}", e.code()),
                    reason: Some(e.to_string()),
                    ..Change::default()
                },
                // The money may have moved: Unknown, and followed like one.
                CallFate::MayHaveMoved => Change {
                    to: AttemptState::Unknown,
                    raw_status: format!("after send: {}", e.code()),
                    reason: Some(e.to_string()),
                    ..Change::default()
                },
            },
        };
        let mut a = self.record(&a, change).await?;
        if a.state == AttemptState::PartlyPaid {
            a = self.note_remainder(a).await?;
        }
        let policy = self.settings.polls.for_channel(a.channel);
        let deadline = started
            .checked_add(policy.give_up)
            .unwrap_or_else(far_future);
        let ended = self.poll_barcode(a, started, deadline).await;
        if let Ok(a) = &ended {
            guard.finish(a);
        }
        ended
    }

    /// Queries a barcode attempt every `every` until it ends or `deadline` passes; then it is
    /// Unknown. Used by the live flow and by recovery (with the deadline the attempt had).
    pub(super) async fn poll_barcode(
        &self,
        mut a: Attempt,
        started: Instant,
        deadline: Instant,
    ) -> Result<Attempt, Error> {
        let policy = self.settings.polls.for_channel(a.channel);
        self.emit(
            &a,
            ms(started.elapsed()),
            Some(ms(deadline.saturating_duration_since(Instant::now()))),
        );
        let mut next = started
            .checked_add(policy.first_after)
            .unwrap_or_else(far_future);
        while a.state.is_live() {
            if let Err(why) = self.backends.can_query(&a) {
                return self.needs_manager(&a, why).await;
            }
            sleep_until(next.min(deadline)).await;
            next = next.checked_add(policy.every).unwrap_or(deadline);
            if let Some(ended) = self.ended_elsewhere(&a)? {
                return Ok(ended);
            }
            let outcome = self.backends.query(&a, self.collected_before(&a)?).await;
            let now = Instant::now();
            a = match outcome {
                Ok(o @ PaymentOutcome::PartlyPaid { .. }) => {
                    let partly = self.record_polled(&a, change_for(&o, false)).await?;
                    if partly.state == AttemptState::PartlyPaid {
                        self.note_remainder(partly).await?
                    } else {
                        partly // ended elsewhere meanwhile
                    }
                }
                Ok(o) => self.record_polled(&a, change_for(&o, false)).await?,
                // A query that could not be sent says nothing new: keep following.
                Err(e) => {
                    tracing::warn!(attempt = %a.id, "query failed: {e}");
                    a
                }
            };
            if a.state.is_live() && now >= deadline {
                a = self
                    .record(
                        &a,
                        Change {
                            to: AttemptState::Unknown,
                            raw_status: "poll deadline".into(),
                            reason: Some(format!(
                                "no final answer within {} s; query again",
                                policy.give_up.as_secs()
                            )),
                            ..Change::default()
                        },
                    )
                    .await?;
                self.emit(&a, ms(started.elapsed()), Some(0));
                return Ok(a);
            }
            self.emit(
                &a,
                ms(started.elapsed()),
                Some(ms(deadline.saturating_duration_since(now))),
            );
        }
        Ok(a)
    }
}

/// A deadline that will not come; durations are bounded by configuration, so this is only
/// reached by a clock near the end of its range.
pub(super) fn far_future() -> Instant {
    Instant::now() + std::time::Duration::from_secs(86_400 * 365)
}
