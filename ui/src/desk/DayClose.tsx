// Closing the day: the X report of today or a chosen day (a snapshot, never stored), the Z under a PIN
// (closes the day for good), and the Zs taken before, each shown again as a copy (副本 / DUPLICATE); the
// report on show printed or previewed as paper, a stored Z printed again.
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ClosingView, ZSummary } from "../bindings";
import { useT } from "../i18n";
import { FieldError, KeyButton } from "../ui/bits";
import { ClosingReport } from "./ClosingReport";
import { useDesk } from "./context";
import { ReportPaper, reportOf, usePrintReport } from "./DayClosePrint";

export function DayClose(): JSX.Element {
  const t = useT();
  const { ask, readFailed } = useDesk();
  const [day, setDay] = useState<string | null>(null);
  const [shown, setShown] = useState<ClosingView | null>(null);
  const [zs, setZs] = useState<ZSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [paper, setPaper] = useState(false);
  const printing = usePrintReport();

  const loadX = useCallback(
    (d: string | null) => {
      setError(null);
      run({ x_report: { day: d } })
        .then(setShown)
        .catch((e: unknown) => setError(readFailed(e)));
    },
    [readFailed],
  );
  const loadZs = useCallback(() => {
    run({ z_reports: {} })
      .then(setZs)
      .catch((e: unknown) => setError(readFailed(e)));
  }, [readFailed]);
  useEffect(() => {
    loadX(null);
    loadZs();
  }, [loadX, loadZs]);

  const closeDay = async () => {
    const d = day ?? shown?.day ?? null;
    setError(null);
    const r = await ask(t("dayclose.pinTitle"), async (approval) => {
      setShown(await run({ z_report: { day: d, approval } }));
    }, t("dayclose.pinExplain", { day: d ?? "" }));
    if (r === null) loadZs();
    else if (r) setError((r).message);
  };

  const copy = async (number: number) => {
    setError(null);
    try {
      setShown(await run({ z_copy: { number } }));
    } catch (e) {
      setError(readFailed(e));
    }
  };

  const isX = shown?.kind === "X";
  return (
    <div class="dayclose" data-testid="dayclose">
      <div class="dayclose-main">
        <div class="desk-toolbar">
          <label class="field field-inline">
            <span class="field-label">{t("dayclose.day")}</span>
            <input
              class="input"
              type="date"
              data-testid="close-day"
              value={day ?? shown?.day ?? ""}
              onChange={(e) => {
                const d = e.currentTarget.value === "" ? null : e.currentTarget.value;
                setDay(d);
                loadX(d);
              }}
            />
          </label>
          <KeyButton testid="show-x" label={t("dayclose.showX")} onClick={() => loadX(day)} />
          <KeyButton testid="take-z" kind="primary" label={t("dayclose.takeZ")} disabled={!isX} onClick={() => void closeDay()} />
          <span class="sb-spacer" />
          {shown && (
            <KeyButton
              testid="print-report"
              label={isX ? t("print.printX") : t("print.printZ")}
              onClick={() => void printing.print(reportOf(shown))}
            />
          )}
          <KeyButton testid="report-paper-toggle" label={paper ? t("print.showReport") : t("print.preview")} onClick={() => setPaper(!paper)} />
        </div>
        {printing.result}
        {error && <FieldError testid="close-error">{error}</FieldError>}
        {isX && <p class="explain">{t("dayclose.xExplain")}</p>}
        {shown && (paper ? <ReportPaper report={reportOf(shown)} /> : <ClosingReport r={shown} />)}
      </div>
      <aside class="dayclose-zs">
        <h2>{t("dayclose.pastZ")}</h2>
        {zs.length === 0 && <p class="empty">{t("dayclose.noZ")}</p>}
        <ul data-testid="z-list">
          {zs.map((z) => (
            <li key={z.number}>
              <div class="z-line">
                <span>
                  <b>{t("dayclose.zNumber", { n: z.number })}</b> · {z.day}
                </span>
                <span class="z-actions">
                  <KeyButton testid={`z-copy-${z.number}`} kind="quiet" label={t("dayclose.copy")} onClick={() => void copy(z.number)} />
                  <KeyButton
                    testid={`z-print-${z.number}`}
                    kind="quiet"
                    label={t("print.print")}
                    onClick={() => void printing.print({ z: { number: z.number } })}
                  />
                </span>
              </div>
              <small>
                {z.closed_at_text} · {z.net_text}
              </small>
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
