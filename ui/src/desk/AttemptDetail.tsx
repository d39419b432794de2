// One attempt's whole story: every transition and query with the backend's answer (codes masked by core),
// its refunds, and the refund form (or core's words on where such a payment is refunded instead); its slip
// reprinted, or shown as it would print in place of the timeline.
import type { JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { run } from "../api";
import type { AttemptDetail as Detail, ErrorBody } from "../bindings";
import { useT } from "../i18n";
import { AttemptFacts } from "../screens/facts";
import { ActionForm, FieldError, KeyButton } from "../ui/bits";
import { SlipPanel, useReprint } from "./AttemptDetailPrint";
import { useDesk } from "./context";
import { useEscape } from "./keys";

export function AttemptDetail({ id, onClose }: { id: number; onClose: (changed: boolean) => void }): JSX.Element {
  const t = useT();
  const { ask, readFailed } = useDesk();
  const [d, setD] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const changed = useRef(false);
  const [slipShown, setSlipShown] = useState(false);
  const [reprints, setReprints] = useState(0);
  const reprint = useReprint(id, () => setReprints((n) => n + 1));

  const load = useCallback(() => {
    run({ attempt_detail: { id } })
      .then(setD)
      .catch((e: unknown) => setError(readFailed(e)));
  }, [id, readFailed]);
  useEffect(load, [load]);

  useEscape(() => onClose(changed.current));

  return (
    <div class="modal-backdrop">
      <div class="modal detail" role="dialog" aria-labelledby="detail-title" data-testid="attempt-detail">
        <div class="settings-head">
          <h1 id="detail-title">
            {d ? (
              <>
                <span class={`tone-${d.attempt.tone}`}>
                  <span class="tone-chip">{d.attempt.state_label}</span>
                </span>{" "}
                <span class="money">{d.attempt.amount_text}</span>
              </>
            ) : (
              t("detail.title")
            )}
          </h1>
          <span class="sb-spacer" />
          {d?.has_slip && reprint.button}
          {d?.has_slip && (
            <KeyButton
              testid="detail-slip"
              label={slipShown ? t("print.showTimeline") : t("print.slipPreview")}
              onClick={() => setSlipShown(!slipShown)}
            />
          )}
          <KeyButton testid="detail-close" label={t("desk.close")} keyName="Esc" onClick={() => onClose(changed.current)} />
        </div>
        {reprint.result}
        {error && <FieldError>{error}</FieldError>}
        {d && (
          <div class="detail-body">
            <div class="detail-left">
              <AttemptFacts a={d.attempt} />
              {d.attempt.reason && <p class="reason">{d.attempt.reason}</p>}
              <h2>{t("detail.refunds")}</h2>
              {d.refunds.length === 0 && <p class="empty">{t("detail.noRefunds")}</p>}
              <ul class="refund-lines" data-testid="refund-lines">
                {d.refunds.map((r) => (
                  <li key={r.refund_no} class={r.ended ? "refund-ended" : "refund-open"}>
                    <span>
                      {r.day} {r.time}
                    </span>{" "}
                    <b class="money">{r.amount}</b> <span class="tone-chip">{r.state}</span>
                    <small> {t("detail.approvedBy", { name: r.manager })}</small>
                    {r.note !== "" && <small> · {r.note}</small>}
                    {r.reason && <p class="tl-text">{r.reason}</p>}
                  </li>
                ))}
              </ul>
              {d.refund_where && (
                <p class="explain" data-testid="refund-where">
                  {d.refund_where}
                </p>
              )}
              {d.can_refund && (
                <RefundForm
                  id={id}
                  left={d.refund_left}
                  bill={d.attempt.bill}
                  ask={ask}
                  onDone={() => {
                    changed.current = true;
                    load();
                  }}
                />
              )}
            </div>
            {slipShown ? (
              <div class="detail-right">
                <h2>{t("print.slipTitle")}</h2>
                <SlipPanel id={id} asked={reprints} />
              </div>
            ) : (
              <Timeline lines={d.lines} />
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** Every transition and query, oldest first. */
function Timeline({ lines }: { lines: Detail["lines"] }): JSX.Element {
  const t = useT();
  return (
    <div class="detail-right">
      <h2>{t("detail.timeline")}</h2>
      <ol class="timeline" data-testid="timeline">
        {lines.map((l, i) => (
          <li key={i} class={`tone-${l.tone}`}>
            <span class="tl-time">
              {/* a line days after the attempt began says its day */}
              {i > 0 && l.day !== lines[0]?.day && <small>{l.day}</small>}
              {l.time}
            </span>
            <div>
              <span class="tone-chip">{l.to}</span>
              {l.from && <small class="tl-from"> ← {l.from}</small>}
              {l.actor && <small> · {l.actor}</small>}
              {l.reason && <p class="tl-text">{l.reason}</p>}
              {l.answer !== "" && <p class="tl-text tl-answer">{l.answer}</p>}
              {l.note && <p class="tl-text">{t("detail.note", { note: l.note })}</p>}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

type RefundProps = {
  id: number;
  left: string;
  bill: string;
  ask: ReturnType<typeof useDesk>["ask"];
  onDone: () => void;
};

/** Amount (empty: all that is left), reason, then a manager's PIN. */
function RefundForm({ id, left, bill, ask, onDone }: RefundProps): JSX.Element {
  const t = useT();
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<ErrorBody | null>(null);

  const submit = async () => {
    setError(null);
    const explain = t("refund.explain", { bill, amount: amount.trim() === "" ? left : amount.trim() });
    const r = await ask(t("refund.pinTitle"), async (approval) => {
      await run({ refund: { id, amount: amount.trim(), note: note.trim(), approval } });
    }, explain);
    if (r === null) {
      setAmount("");
      setNote("");
      onDone();
    } else if (r) setError(r);
  };

  return (
    <ActionForm class="refund-form" act={submit}>
      <h2>{t("refund.title")}</h2>
      <p class="explain">{t("refund.left", { left })}</p>
      <div class="field-row">
        <label class="field">
          <span class="field-label">{t("refund.amount")}</span>
          <input class="input" data-testid="refund-amount" inputMode="decimal" placeholder={t("refund.amountHint")} value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t("refund.reason")}</span>
          <input class="input" data-testid="refund-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
      </div>
      {error && <FieldError testid="refund-error">{error.message}</FieldError>}
      <KeyButton testid="refund-submit" kind="primary" submit label={t("refund.submit")} keyName="Enter" />
    </ActionForm>
  );
}
