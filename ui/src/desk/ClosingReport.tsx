// An X or Z report as core computed it: every figure, label and the 副本 / DUPLICATE words are core's.
import type { JSX } from "preact";
import { useT } from "../i18n";
import type { ClosingView } from "../bindings";
import { ReportLines } from "./Totals";

/** A long hash, shortened for the eye (the whole one is in the tooltip and in `cashier z --json`). */
function Hash({ h }: { h: string }): JSX.Element {
  return (
    <span class="mono hash" title={h}>
      {h === "" ? "—" : `${h.slice(0, 12)}…`}
    </span>
  );
}

export function ClosingReport({ r }: { r: ClosingView }): JSX.Element {
  const t = useT();
  const z = r.kind === "Z";
  return (
    <article class={`closing ${r.copy ? "closing-copy" : ""}`} data-testid={r.copy ? "z-copy" : z ? "z-report" : "x-report"}>
      <header class="closing-head">
        <h2 data-testid="closing-title">{z ? t("closing.titleZ", { n: r.number }) : t("closing.titleX")}</h2>
        {r.copy_words && (
          <span class="copy-mark" data-testid="copy-mark">
            {r.copy_words}
          </span>
        )}
        <span>{t("closing.day", { day: r.day })}</span>
        <span>{t("closing.takenAt", { time: r.at_text })}</span>
        {r.approved_by && <span>{t("detail.approvedBy", { name: r.approved_by })}</span>}
      </header>
      <div class="closing-figures">
        <div>
          <span class="field-label">{t("totals.collected")}</span>
          <b class="money big" data-testid="closing-collected">
            {r.net_text}
          </b>
        </div>
        <div>
          <span class="field-label">{t("totals.refunded")}</span>
          <b class="money">{r.refunded_text}</b>
        </div>
        <div>
          <span class="field-label">{t("totals.attempts")}</span>
          <b>{r.count}</b>
        </div>
        {r.corrections.length > 0 && (
          <div>
            <span class="field-label">{t("closing.corrections")}</span>
            <b class="money">{r.corrections_text}</b>
          </div>
        )}
        {z && (
          <div>
            <span class="field-label">{t("closing.grandTotal")}</span>
            <b class="money" data-testid="closing-grand">
              {r.grand_total_text}
            </b>
          </div>
        )}
      </div>
      <div class="closing-lines">
        <div>
          <h3>{t("totals.byChannel")}</h3>
          <ReportLines rows={r.channels.map((c) => ({ label: c.label, count: c.count, amount: c.amount_text }))} testid="closing-by-channel" />
        </div>
        <div>
          <h3>{t("totals.byOutcome")}</h3>
          <ReportLines rows={r.outcomes.map((c) => ({ label: c.label, count: c.count, amount: c.amount_text }))} testid="closing-by-outcome" />
        </div>
        <div>
          <h3>{t("closing.operators")}</h3>
          <ReportLines rows={r.operators.map((o) => ({ label: o.operator, count: o.count, amount: o.collected_text }))} testid="closing-operators" />
        </div>
      </div>
      {r.open_items.length > 0 && (
        <section>
          <h3>{t("closing.open")}</h3>
          <ul class="closing-list" data-testid="closing-open">
            {r.open_items.map((o) => (
              <li key={o.order_no}>
                <span class="mono">{o.order_no}</span> · <b>{o.amount_text}</b> · {o.state_label}
              </li>
            ))}
          </ul>
        </section>
      )}
      {r.corrections.length > 0 && (
        <section>
          <h3>{t("closing.correctionsList")}</h3>
          <ul class="closing-list" data-testid="closing-corrections">
            {r.corrections.map((c) => (
              <li key={c.seq}>
                {c.day} · <span class="mono">{c.order_no}</span> · {c.what} · <b>{c.amount_text}</b>
              </li>
            ))}
          </ul>
        </section>
      )}
      {z && (
        <footer class="closing-chain">
          <span>{t("closing.range", { first: r.first_seq, last: r.last_seq })}</span>
          <span>
            {t("closing.prevHash")} <Hash h={r.prev_hash} />
          </span>
          <span>
            {t("closing.hash")} <Hash h={r.hash} />
          </span>
        </footer>
      )}
    </article>
  );
}
