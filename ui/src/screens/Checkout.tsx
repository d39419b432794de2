import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { QrOption, TillStatus } from "../bindings";
import { useT } from "../i18n";
import type { FieldCheck, ScanLine, State, Store } from "../store";
import { FieldError, Icon, KeyButton, onEnter } from "../ui/bits";

function FieldMessage({ f, testid }: { f: FieldCheck; testid: string }): JSX.Element | null {
  // Show the verdict only for what is in the field now (a stale "ok" would mislead).
  if (f.raw === "" || f.checked !== f.raw) return null;
  const err = f.check?.error;
  if (err) {
    return (
      <FieldError testid={testid}>{err.message}</FieldError>
    );
  }
  return null;
}

/** What the last scan did: being read, read, or refused. Every scan shows here at once. */
export function ScanLineView({ line, floating = false }: { line: NonNullable<ScanLine>; floating?: boolean }): JSX.Element {
  const t = useT();
  return (
    <p
      class={`scan-line scan-line-${line.kind} ${floating ? "scan-line-floating" : ""}`}
      data-testid={line.kind === "error" ? "scan-error" : "scan-line"}
      role={line.kind === "error" ? "alert" : "status"}
    >
      <Icon name={line.kind === "error" ? "cross" : "scan"} size={22} />
      {line.kind === "reading" ? t("scan.reading") : line.text}
    </p>
  );
}

export function focusAmount(): void {
  const el = document.querySelector<HTMLInputElement>('[data-testid="amount-input"]');
  el?.focus();
}

/** Bill number and amount, checked by core as typed; then a scan, or one of the QR keys. */
export function Checkout({ store, state, status }: { store: Store; state: State; status: TillStatus }): JSX.Element {
  const t = useT();
  const billRef = useRef<HTMLInputElement>(null);
  const amountRef = useRef<HTMLInputElement>(null);
  const ready = store.ready();
  const { bill, amount } = state;

  useEffect(() => {
    if (state.armed) return;
    if (bill.raw === "") billRef.current?.focus();
    else amountRef.current?.focus();
    // Only when the checkout appears: afterwards focus follows the cashier.
  }, []);

  const pickQr = (o: QrOption) => {
    if (ready && o.available && !state.busy) void store.payWithQr(o.choice);
  };

  const amountOk = amount.check?.ok === true && amount.checked === amount.raw ? amount.check.text : null;
  const line = state.scanLine;

  return (
    <div class="checkout">
      <section class="checkout-fields">
        <label class="field">
          <span class="field-label">{t("checkout.bill")}</span>
          <input
            ref={billRef}
            class="input input-bill"
            data-testid="bill-input"
            data-scan="bill"
            autoComplete="off"
            spellcheck={false}
            placeholder={t("checkout.billPlaceholder")}
            value={bill.raw}
            onInput={(e) => void store.typeBill(e.currentTarget.value)}
            onKeyDown={onEnter(() => amountRef.current?.focus())}
          />
        </label>
        <FieldMessage f={bill} testid="bill-error" />
        <label class="field">
          <span class="field-label">{t("checkout.amount")}</span>
          <div class="amount-box">
            <span class="amount-currency">¥</span>
            <input
              ref={amountRef}
              class="input input-amount"
              data-testid="amount-input"
              data-scan="amount"
              inputMode="decimal"
              autoComplete="off"
              placeholder="0.00"
              value={amount.raw}
              onInput={(e) => void store.typeAmount(e.currentTarget.value)}
              onKeyDown={onEnter((field) => {
                // A quick Enter can beat core's answer on the last digit: wait for it, then decide.
                void store.checked().then(() => {
                  if (store.ready()) {
                    field.blur();
                    store.arm(true);
                  } else if (store.state.bill.check?.ok !== true) billRef.current?.focus();
                });
              })}
            />
          </div>
        </label>
        <FieldMessage f={amount} testid="amount-error" />
        {amountOk && (
          <p class="field-ok" data-testid="amount-text">
            <Icon name="check" size={20} /> {amountOk}
          </p>
        )}
        {state.notice && (
          <p class="notice" data-testid="notice" role="alert">
            <Icon name="warn" size={22} /> {state.notice.message}
          </p>
        )}
      </section>

      <section class="checkout-pay">
        <div class={`scan-prompt ${ready ? "scan-ready" : ""} ${state.armed ? "scan-armed" : ""}`} data-testid="scan-prompt">
          <Icon name="scan" size={56} />
          <div>
            <p class="scan-title">{ready ? t("checkout.scanNow") : t("checkout.fillFirst")}</p>
            <p class="scan-sub">{ready ? t("checkout.scanSub") : t("checkout.fillSub")}</p>
          </div>
        </div>
        {line && <ScanLineView line={line} />}
        <p class="qr-heading">{t("checkout.orQr")}</p>
        <div class="qr-choices">
          {status.qr_options.map((o) => (
            <KeyButton
              key={o.choice}
              testid={`qr-choice-${o.choice}`}
              kind="secondary"
              label={o.label}
              note={o.available ? undefined : t("checkout.qrUnavailable")}
              keyName={o.key}
              disabled={!ready || !o.available || state.busy}
              onClick={() => pickQr(o)}
            />
          ))}
        </div>
      </section>
    </div>
  );
}
