import type { JSX } from "preact";
import type { AttemptView } from "../bindings";
import { useT } from "../i18n";

/** The small print of an attempt: channel, masked code, bill, order number. */
export function AttemptFacts({ a }: { a: AttemptView }): JSX.Element {
  const t = useT();
  return (
    <dl class="facts" data-testid="attempt-facts">
      <div>
        <dt>{t("facts.channel")}</dt>
        <dd data-testid="channel-label">
          {a.wallet && <span class={`wallet wallet-${a.wallet}`} aria-hidden="true" />}
          {a.channel_label}
        </dd>
      </div>
      {a.code_masked && (
        <div>
          <dt>{t("facts.code")}</dt>
          <dd data-testid="code-masked">{a.code_masked}</dd>
        </div>
      )}
      <div>
        <dt>{t("facts.bill")}</dt>
        <dd data-testid="bill">{a.bill}</dd>
      </div>
      <div>
        <dt>{t("facts.order")}</dt>
        <dd data-testid="order-no">{a.order_no}</dd>
      </div>
    </dl>
  );
}
