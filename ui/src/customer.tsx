// The customer-facing display (客显) on a second screen: the merchant, the amount, the QR while one is
// shown, then 支付成功 — nothing else (no operator, no codes, no reasons).
import { render, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onTillEvent, run } from "./api";
import type { AttemptView, TillStatus } from "./bindings";
import { translator } from "./i18n";
import "./styles.css";

/** How long "Paid" stays up before the display goes back to the welcome. */
const PAID_MS = 12_000;

export function CustomerDisplay(): JSX.Element {
  const [status, setStatus] = useState<TillStatus | null>(null);
  const [attempt, setAttempt] = useState<AttemptView | null>(null);
  const [, setTick] = useState(0);

  useEffect(() => {
    let off: (() => void) | null = null;
    void onTillEvent((e) => {
      if (e.kind === "status") setStatus(e.status);
      if (e.kind === "attempt") {
        setAttempt((cur) => (cur === null || e.attempt.id >= cur.id ? e.attempt : cur));
        if (e.attempt.state === "paid") setTimeout(() => setTick((n) => n + 1), PAID_MS + 50);
      }
    }).then((f) => (off = f));
    run({ status: {} })
      .then(setStatus)
      .catch(() => undefined); // the display stays on its welcome; the cashier's window shows the trouble
    return () => off?.();
  }, []);

  const t = translator(status?.lang ?? "zh-CN");
  const merchant = status?.merchant ?? "";
  const paidLongAgo = attempt?.state === "paid" && Date.now() - Date.parse(attempt.updated_at) > PAID_MS;
  const showing = attempt && !paidLongAgo && (attempt.live || attempt.state === "paid") ? attempt : null;

  return (
    <div class="customer" data-testid="customer-display">
      <p class="customer-merchant" data-testid="customer-merchant">
        {merchant}
      </p>
      {!showing && <p class="customer-welcome">{t("customer.welcome")}</p>}
      {showing?.state === "paid" && (
        <div class="customer-paid" data-testid="customer-paid">
          <span class="customer-check" aria-hidden="true">
            ✓
          </span>
          <p>{t("customer.paid")}</p>
          <p class="customer-amount">{showing.amount_text}</p>
        </div>
      )}
      {showing && showing.state !== "paid" && (
        <div class="customer-pay">
          <p class="customer-amount" data-testid="customer-amount">
            {showing.amount_text}
          </p>
          {showing.qr_svg && (
            <>
              <div class="customer-qr" data-testid="customer-qr" dangerouslySetInnerHTML={{ __html: showing.qr_svg }} />
              <p class="customer-hint">{t("customer.scan")}</p>
            </>
          )}
        </div>
      )}
    </div>
  );
}

const root = document.getElementById("customer");
if (root) render(<CustomerDisplay />, root);
