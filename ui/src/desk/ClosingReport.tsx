// An X or Z report as core computed it: every figure, label and the 副本 / DUPLICATE mark are core's.
import type { JSX } from "preact";
import { useT } from "../i18n";
import type { ClosingView } from "./pending-types";
import { ReportLines } from "./Totals";

/** A long hash, shortened for the eye (the whole one is in the tooltip and the CLI's --json). */
function Hash({ h }: { h: string | null }): JSX.Element {
  return <span class="mono hash" title={h ?? ""}>{h ? `${h.slice(0, 12)}…` : "—"}</span>;
}

export function ClosingReport({ r }: { r: ClosingView }): JSX.Element {
  const t = useT();
  return (
    <article class={`closing ${r.copy ? "closing-copy" : ""}`} data-testid={r.copy ? "z-copy" : r.number === null ? "x-report" : "z-report"}>
      <header class="closing-head">
        <h2 data-testid="closing-title">{r.title}</h2>
        {r.copy_mark && (
          <span class="copy-mark" data-testid="copy-mark">
            {r.copy_mark}
          </span>
        )}
        <span>{t("closing.day", { day: r.day })}</span>
        <span>{t("closing.takenAt", { time: r.taken_at_time })}</span>
      </header>
      <div class="closing-figures">
        <div>
          <span class="field-label">{t("totals.collected")}</span>
          <b class="money big" data-testid="closing-collected">
            {r.collected}
          </b>
        </div>
        <div>
          <span class="field-label">{t("totals.refunded")}</span>
          <b class="money">{r.refunded}</b>
        </div>
        <div>
          <span class="field-label">{t("totals.attempts")}</span>
          <b>{r.count}</b>
        </div>
        {r.grand_total && (
          <div>
            <span class="field-label">{t("closing.grandTotal")}</span>
            <b class="money" data-testid="closing-grand">
              {r.grand_total}
            </b>
          </div>
        )}
      </div>
      <div class="closing-lines">
        <div>
          <h3>{t("totals.byChannel")}</h3>
          <ReportLines rows={r.by_channel} testid="closing-by-channel" />
        </div>
        <div>
          <h3>{t("totals.byOutcome")}</h3>
          <ReportLines rows={r.by_outcome} testid="closing-by-outcome" />
        </div>
        <div>
          <h3>{t("closing.operators")}</h3>
          <ReportLines rows={r.operators} testid="closing-operators" />
        </div>
      </div>
      {r.open.length > 0 && (
        <section>
          <h3>{t("closing.open")}</h3>
          <ul class="closing-list" data-testid="closing-open">
            {r.open.map((o) => (
              <li key={o.order_no}>
                {o.time} · {o.bill} · <span class="mono">{o.order_no}</span> · <b>{o.amount_text}</b> · {o.state_label}
              </li>
            ))}
          </ul>
        </section>
      )}
      {r.corrections.length > 0 && (
        <section>
          <h3>{t("closing.corrections")}</h3>
          <ul class="closing-list" data-testid="closing-corrections">
            {r.corrections.map((c) => (
              <li key={`${c.order_no}-${c.what}`}>
                {c.day} · <span class="mono">{c.order_no}</span> · {c.what} · <b>{c.amount_text}</b>
              </li>
            ))}
          </ul>
        </section>
      )}
      {r.number !== null && (
        <footer class="closing-chain">
          <span>{t("closing.range", { first: r.first_seq ?? "—", last: r.last_seq ?? "—" })}</span>
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
