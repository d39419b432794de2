import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { Approval, AttemptView, ErrorBody, ManagerDecision } from "../bindings";
import { useT } from "../i18n";
import type { Store } from "../store";
import { ApprovalFields } from "../ui/Approval";
import { FieldError, KeyButton } from "../ui/bits";

/** A manager decides an Unknown attempt (journalled, with a note). Core may refuse "failed" while the
 * backend still shows the payment in progress; its message says so. */
export function Manager({ store, a }: { store: Store; a: AttemptView }): JSX.Element {
  const t = useT();
  const [approval, setApproval] = useState<Approval | null>(null);
  const [note, setNote] = useState("");
  const [error, setError] = useState<ErrorBody | null>(null);

  const resolve = async (to: ManagerDecision) => setError(approval && (await store.resolve(to, note, approval)));
  const msg = (field: "pin" | "note" | null) =>
    error && (field === null ? error.field !== "pin" && error.field !== "note" : error.field === field) ? (
      <FieldError testid={`manager-${field ?? "form"}-error`}>{error.message}</FieldError>
    ) : null;

  return (
    <div class="manager" data-testid="manager-dialog">
      <h1>{t("manager.title")}</h1>
      <p class="explain">{t("manager.explain", { amount: a.amount_text, bill: a.bill })}</p>
      <ApprovalFields onChange={setApproval} />
      {msg("pin")}
      <label class="field">
        <span class="field-label">{t("manager.note")}</span>
        <input class="input" data-testid="manager-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {msg("note")}
      {msg(null)}
      <div class="actions">
        <KeyButton testid="resolve-paid" kind="primary" label={t("manager.paid")} onClick={() => void resolve("paid")} />
        <KeyButton testid="resolve-failed" kind="danger" label={t("manager.failed")} onClick={() => void resolve("failed")} />
        <KeyButton testid="manager-close" kind="secondary" label={t("settings.close")} keyName="Esc" onClick={() => store.open(null)} />
      </div>
    </div>
  );
}
