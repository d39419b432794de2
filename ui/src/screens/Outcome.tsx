import type { JSX } from "preact";
import type { AttemptView } from "../bindings";
import { useT, type Translate } from "../i18n";
import { SlipDialog } from "../print/SlipDialog";
import type { Store } from "../store";
import { Icon, type IconName, KeyButton, Say, StateLabel } from "../ui/bits";
import { AttemptFacts } from "./facts";

/** The one thing Enter does on an outcome screen. */
export type Primary = "next" | "again" | "query" | "remainder";

/** Layout only: which of core's actions is the screen's primary one, by the attempt's state. */
export function primaryOf(a: AttemptView): Primary {
  switch (a.state) {
    case "unknown":
      return "query";
    case "partly_paid":
      return a.actions.includes("take_remainder") ? "remainder" : "next";
    case "failed":
    case "cancelled":
    case "expired":
      return "again";
    default:
      return "next";
  }
}

const BAND: Record<AttemptView["tone"], { icon: IconName; testid: string }> = {
  paid: { icon: "check", testid: "paid-band" },
  failed: { icon: "cross", testid: "failed-band" },
  unknown: { icon: "question", testid: "unknown-band" },
  partly: { icon: "partly", testid: "partly-band" },
  neutral: { icon: "clock", testid: "neutral-band" },
  waiting: { icon: "clock", testid: "neutral-band" },
  progress: { icon: "clock", testid: "neutral-band" },
};

function primaryButton(p: Primary, a: AttemptView, store: Store, t: Translate): JSX.Element {
  switch (p) {
    case "query":
      return (
        <KeyButton testid="query-again-button" kind="primary" big label={t("action.queryAgain")} keyName={["F5", "Enter"]} onClick={() => void store.queryAgain(a.id)} />
      );
    case "remainder":
      return (
        <KeyButton
          testid="take-remainder-button"
          kind="primary"
          big
          label={t("action.takeRemainder", { left: a.remainder_text ?? "" })}
          keyName="Enter"
          onClick={() => store.takeRemainder()}
        />
      );
    case "again":
      return <KeyButton testid="try-again-button" kind="primary" big label={t("action.tryAgain")} keyName="Enter" onClick={() => store.tryAgain()} />;
    case "next":
      return <KeyButton testid="next-customer-button" kind="primary" big label={t("action.next")} keyName="Enter" onClick={() => store.nextCustomer()} />;
  }
}

/** Paid, failed, Unknown, partly paid, cancelled / expired / abandoned: a full-width band that cannot be
 * mistaken for another (colour, icon and words), the amount, and one primary action on a key. */
export function Outcome({ store, a }: { store: Store; a: AttemptView }): JSX.Element {
  const t = useT();
  const band = BAND[a.tone];
  const primary = primaryOf(a);

  return (
    <div class={`outcome tone-${a.tone}`} data-testid="outcome">
      <div class="band" data-testid={band.testid} role="status">
        <Icon name={band.icon} size={64} />
        <StateLabel a={a} />
      </div>
      <div class="outcome-body">
        {a.tone === "partly" && a.remainder_text ? (
          <>
            <p class="amount-caption">{t("outcome.stillOwed")}</p>
            <p class="amount-huge" data-testid="remainder">
              {a.remainder_text}
            </p>
            <p class="amount-of">{t("outcome.ofTotal", { total: a.amount_text })}</p>
          </>
        ) : (
          <p class="amount-huge" data-testid="amount">
            {a.amount_text}
          </p>
        )}
        {a.tone === "unknown" && (
          <p class="explain explain-unknown" data-testid="unknown-explain">
            {/* core's words for an Unknown; the UI's own only if core gave none */}
            {a.say ?? t("outcome.unknownExplain")}
          </p>
        )}
        {/* A failure's reason is the backend's own words for the cashier; an Unknown's is a
            technical detail (core's sentence above says what to do), kept small for the manager. */}
        {a.reason && a.tone !== "unknown" && (
          <p class="reason" data-testid="reason">
            {a.reason}
          </p>
        )}
        {primary === "again" && <p class="explain">{t("outcome.tryAnother")}</p>}
        {a.tone !== "unknown" && <Say a={a} />}
        <div class="actions">
          {primaryButton(primary, a, store, t)}
          {primary !== "next" && a.actions.includes("next_customer") && (
            <KeyButton
              testid="next-customer-button"
              kind="quiet"
              label={a.live ? t("action.nextLeave") : t("action.next")}
              onClick={() => store.nextCustomer()}
            />
          )}
          {a.actions.includes("resolve") && (
            <KeyButton testid="resolve-button" kind="quiet" label={t("action.resolve")} keyName="F12" onClick={() => store.open("manager")} />
          )}
          {primary === "next" && a.actions.includes("query_again") && (
            <KeyButton testid="query-again-button" kind="quiet" label={t("action.queryAgain")} keyName="F5" onClick={() => void store.queryAgain(a.id)} />
          )}
          {a.tone === "paid" && (
            <KeyButton testid="slip-preview-button" kind="quiet" label={t("print.slipPreview")} keyName="P" onClick={() => store.showSlip(a.id)} />
          )}
        </div>
        <AttemptFacts a={a} />
        {a.reason && a.tone === "unknown" && (
          <p class="reason-detail" data-testid="reason">
            {t("outcome.detail", { detail: a.reason })}
          </p>
        )}
      </div>
      {store.state.slip === a.id && <SlipDialog id={a.id} onClose={() => store.showSlip(null)} />}
    </div>
  );
}
