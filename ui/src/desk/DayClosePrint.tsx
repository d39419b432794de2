// Day close on paper: the X or Z on show printed (a stored Z printed again is core's copy, 副本 / DUPLICATE),
// and the report as it would print. Which report is printed is the one on screen; what it says is core's.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ClosingView, Preview, PrintJobView, PrintReport } from "../bindings";
import { useT } from "../i18n";
import { QueuedJob } from "../print/PrintJobs";
import { SlipPaper } from "../print/SlipPreview";
import { FieldError } from "../ui/bits";
import { useDesk } from "./context";

/** The report on screen, as the printer is asked for it: the X of its day, or the Z by its number. */
export function reportOf(shown: ClosingView): PrintReport {
  return shown.kind === "X" ? { x: { day: shown.day } } : { z: { number: shown.number } };
}

/** `print(report)` queues a report; `result` is the queued job or core's refusal. */
export function usePrintReport(): { print: (report: PrintReport) => Promise<void>; result: JSX.Element | null } {
  const { readFailed } = useDesk();
  const [job, setJob] = useState<PrintJobView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const print = async (report: PrintReport) => {
    setJob(null);
    setError(null);
    try {
      setJob(await run({ print_report: { report } }));
    } catch (e) {
      setError(readFailed(e));
    }
  };
  return {
    print,
    result: job ? <QueuedJob job={job} testid="report-queued" /> : error ? <FieldError testid="report-print-error">{error}</FieldError> : null,
  };
}

/** A report as it would print. */
export function ReportPaper({ report }: { report: PrintReport }): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  // By value: the screen builds a new report object each render; it is asked again only for another report.
  const asked = JSON.stringify(report);
  useEffect(() => {
    setPreview(null);
    setError(null);
    run({ report_preview: { report: JSON.parse(asked) as PrintReport } })
      .then(setPreview)
      .catch((e: unknown) => setError(readFailed(e)));
  }, [asked, readFailed]);
  return (
    <div class="report-paper" data-testid="report-paper">
      {error && <FieldError testid="report-preview-error">{error}</FieldError>}
      {!preview && !error && <p class="empty">{t("print.loading")}</p>}
      {preview && <SlipPaper preview={preview} />}
    </div>
  );
}
