// The slip of the payment just paid, as it would print: opened by the cashier (P, or the button on the paid
// screen), never by itself, so a shop without a printer can show the customer what a slip says. Esc, the
// close button or a click outside closes it; the next customer (Enter, digits, a scan) takes it away too.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody, SlipPreview } from "../bindings";
import { useEscape } from "../desk/keys";
import { useT } from "../i18n";
import { FieldError, KeyButton } from "../ui/bits";
import { PrintJobs } from "./PrintJobs";
import { SlipPaper } from "./SlipPreview";

export function SlipDialog({ id, onClose }: { id: number; onClose: () => void }): JSX.Element {
  const t = useT();
  const [slip, setSlip] = useState<SlipPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    run({ slip_preview: { id } })
      .then(setSlip)
      .catch((e: unknown) => setError((e as ErrorBody).message));
  }, [id]);
  useEscape(onClose);

  return (
    <div
      class="modal-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div class="modal slip-dialog" role="dialog" aria-labelledby="slip-title" data-testid="slip-dialog">
        <div class="settings-head">
          <h1 id="slip-title">{t("print.slipTitle")}</h1>
          <KeyButton testid="slip-close" label={t("desk.close")} keyName="Esc" onClick={onClose} />
        </div>
        {error && <FieldError testid="slip-error">{error}</FieldError>}
        {!slip && !error && <p class="empty">{t("print.loading")}</p>}
        {slip && (
          <div class="slip-dialog-body">
            <SlipPaper preview={slip.preview} />
            {slip.jobs.length > 0 && (
              <aside>
                <h2>{t("print.jobs")}</h2>
                <PrintJobs jobs={slip.jobs} />
              </aside>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
