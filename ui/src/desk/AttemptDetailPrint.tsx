// Receipts' detail on paper: "重印 Reprint" (core queues the slip again, marked 重印 / REPRINT) and the slip as
// it would print with the print jobs it has had. Core decides whether a payment has a slip; its refusal is
// shown as given.
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { PrintJobView, SlipPreview } from "../bindings";
import { useT } from "../i18n";
import { PrintJobs, QueuedJob } from "../print/PrintJobs";
import { SlipPaper } from "../print/SlipPreview";
import { FieldError, KeyButton } from "../ui/bits";
import { useDesk } from "./context";

/** The reprint button and what came of it (the queued job, or core's refusal). */
export function useReprint(id: number, queued: () => void): { button: JSX.Element; result: JSX.Element | null } {
  const t = useT();
  const { readFailed } = useDesk();
  const [job, setJob] = useState<PrintJobView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reprint = async () => {
    setJob(null);
    setError(null);
    try {
      setJob(await run({ reprint: { id } }));
      queued();
    } catch (e) {
      setError(readFailed(e));
    }
  };
  return {
    button: <KeyButton testid="detail-reprint" label={t("print.reprint")} onClick={() => void reprint()} />,
    result: job ? <QueuedJob job={job} testid="reprint-queued" /> : error ? <FieldError testid="reprint-error">{error}</FieldError> : null,
  };
}

/** The slip as it would print and its print jobs; asked again whenever `asked` changes (after a reprint). */
export function SlipPanel({ id, asked }: { id: number; asked: number }): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const [slip, setSlip] = useState<SlipPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    run({ slip_preview: { id } })
      .then(setSlip)
      .catch((e: unknown) => setError(readFailed(e)));
  }, [id, readFailed]);
  useEffect(load, [load, asked]);

  return (
    <div class="slip-panel" data-testid="slip-panel">
      {error && <FieldError testid="slip-error">{error}</FieldError>}
      {slip && <SlipPaper preview={slip.preview} />}
      {slip && (
        <>
          <h2>{t("print.jobs")}</h2>
          <PrintJobs jobs={slip.jobs} />
        </>
      )}
    </div>
  );
}
