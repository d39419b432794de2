// The store's day (门店): every till of the merchant as the store (PostgreSQL) holds it, read by core as a
// read-only role: the totals per channel and outcome, each till's payments, link and day close, and the
// attempts not ended, to be acted on at their own till. Shown only when the till ships to a store.
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { StoreDayView } from "../bindings";
import { useT } from "../i18n";
import { FieldError, KeyButton } from "../ui/bits";
import { useDesk } from "./context";

export function StoreDay(): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  // The day asked for; null: today, as core reckons the business day.
  const [asked, setAsked] = useState<string | null>(null);
  const [day, setDay] = useState<StoreDayView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    setError(null);
    run({ store_day: { day: asked } })
      .then(setDay)
      .catch((e: unknown) => {
        setDay(null);
        setError(readFailed(e));
      });
  }, [asked, readFailed]);
  useEffect(load, [load]);

  return (
    <div class="store-day" data-testid="store-day">
      <div class="desk-toolbar">
        <h2>{day ? t("storeDay.title", { day: day.day }) : error ? t("storeDay.titleNone") : t("app.loading")}</h2>
        <label class="field field-inline">
          <span class="field-label">{t("storeDay.day")}</span>
          <input
            class="input"
            type="date"
            data-testid="store-day-day"
            value={asked ?? day?.day ?? ""}
            onChange={(e) => setAsked(e.currentTarget.value === "" ? null : e.currentTarget.value)}
          />
        </label>
        <KeyButton testid="store-day-refresh" label={t("storeDay.refresh")} onClick={load} />
      </div>
      {error && <FieldError testid="store-day-error">{error}</FieldError>}
      {day && (
        <>
          <p data-testid="store-day-total">{t("storeDay.total", { count: day.count, amount: day.collected_text })}</p>
          <table class="desk-table" data-testid="store-day-rows">
            <tbody>
              {day.rows.map((r) => (
                <tr key={r.label}>
                  <td>{r.label}</td>
                  <td>{r.count}</td>
                  <td class="mono">{r.amount_text}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="desk-table" data-testid="store-day-tills">
            <thead>
              <tr>
                <th>{t("storeDay.till")}</th>
                <th>{t("storeDay.count")}</th>
                <th>{t("storeDay.collected")}</th>
                <th>{t("storeDay.link")}</th>
                <th>{t("storeDay.closed")}</th>
              </tr>
            </thead>
            <tbody>
              {day.tills.map((r) => (
                <tr key={r.till} data-testid={`store-till-${r.till}`} data-fault={r.fault}>
                  <td class="mono">{r.till}</td>
                  <td>{r.count}</td>
                  <td class="mono">{r.collected_text}</td>
                  <td class={r.fault ? "store-till-fault" : ""}>
                    {r.link_label}
                    {r.note && <small> · {r.note}</small>}
                  </td>
                  <td>{r.closed ?? t("storeDay.notClosed")}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>{t("storeDay.open")}</h3>
          {day.open.length === 0 && <p class="empty" data-testid="store-day-none-open">{t("storeDay.noneOpen")}</p>}
          {day.open.length > 0 && (
            <table class="desk-table" data-testid="store-day-open">
              <tbody>
                {day.open.map((a) => (
                  <tr key={`${a.till}-${a.order_no}`}>
                    <td class="mono">{a.till}</td>
                    <td class="mono">{a.order_no}</td>
                    <td class="mono">{a.bill}</td>
                    <td>{a.channel_label}</td>
                    <td class="mono">{a.amount_text}</td>
                    <td>{a.state_label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}
