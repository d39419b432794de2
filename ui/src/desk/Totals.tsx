// The range's totals as core summed them: collected, refunded, the count, per channel and per outcome.
import type { JSX } from "preact";
import type { ReceiptsSummary } from "../bindings";
import { useT } from "../i18n";

/** A report's line as core wrote it: its label, how many, how much. */
export type Line = { label: string; count: number; amount: string };

/** Rows of label · count · amount. */
export function ReportLines({ rows, testid }: { rows: Line[]; testid: string }): JSX.Element {
  const t = useT();
  return (
    <table class="report-lines" data-testid={testid}>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td class="num">{t("totals.count", { n: r.count })}</td>
            <td class="num money">{r.amount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Totals({ summary }: { summary: ReceiptsSummary }): JSX.Element {
  const t = useT();
  return (
    <div class="totals" data-testid="receipts-totals">
      <div class="totals-big">
        <div>
          <span class="field-label">{t("totals.collected")}</span>
          <b class="money big" data-testid="total-collected">
            {summary.collected}
          </b>
        </div>
        <div>
          <span class="field-label">{t("totals.refunded")}</span>
          <b class="money" data-testid="total-refunded">
            {summary.refunded}
          </b>
        </div>
        <div>
          <span class="field-label">{t("totals.attempts")}</span>
          <b data-testid="total-count">{summary.count}</b>
        </div>
      </div>
      <div class="totals-lines">
        <div>
          <h2>{t("totals.byChannel")}</h2>
          <ReportLines rows={summary.by_channel} testid="by-channel" />
        </div>
        <div>
          <h2>{t("totals.byOutcome")}</h2>
          <ReportLines rows={summary.by_outcome} testid="by-outcome" />
        </div>
      </div>
    </div>
  );
}
