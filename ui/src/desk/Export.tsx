// CSV export: the Tauri shell's save dialog, then core writes the file (UTF-8 with BOM, headers in the
// till's language, amounts in yuan). Outside the shell (the bridge) there is no dialog: a path is typed.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { inTauri, run } from "../api";
import type { ErrorBody, ReceiptsQuery, ReceiptsSummary } from "../bindings";
import { useT } from "../i18n";
import { ActionForm, FieldError, KeyButton } from "../ui/bits";
import { useEscape } from "./keys";

async function askPath(defaultPath: string, title: string): Promise<string | null> {
  const { save } = await import("@tauri-apps/plugin-dialog");
  return save({ title, defaultPath, filters: [{ name: "CSV", extensions: ["csv"] }] });
}

export function ExportButton({ query, summary }: { query: ReceiptsQuery; summary: ReceiptsSummary | null }): JSX.Element {
  const t = useT();
  const [typing, setTyping] = useState<string | null>(null);
  const [said, setSaid] = useState<{ ok: boolean; text: string } | null>(null);
  const name = summary ? `receipts-${summary.from}${summary.to !== summary.from ? `-${summary.to}` : ""}.csv` : "receipts.csv";

  const write = async (path: string) => {
    setTyping(null);
    try {
      const n = await run({ export_receipts: { query, path } });
      setSaid({ ok: true, text: t("export.done", { n, path }) });
    } catch (e) {
      setSaid({ ok: false, text: (e as ErrorBody).message });
    }
  };

  const start = async () => {
    setSaid(null);
    if (!inTauri()) {
      setTyping(name);
      return;
    }
    const path = await askPath(name, t("export.title"));
    if (path) await write(path);
  };

  return (
    <div class="export">
      <KeyButton testid="export-csv" label={t("export.button")} onClick={() => void start()} />
      {typing !== null && <PathForm path={typing} onChange={setTyping} onSave={write} onCancel={() => setTyping(null)} />}
      {said &&
        (said.ok ? (
          <p class="field-ok" data-testid="export-done" role="status">
            {said.text}
          </p>
        ) : (
          <FieldError testid="export-error">{said.text}</FieldError>
        ))}
    </div>
  );
}

type PathProps = { path: string; onChange: (p: string) => void; onSave: (p: string) => Promise<void>; onCancel: () => void };

/** Outside the Tauri shell (the bridge, a browser): the file's path, typed. */
function PathForm({ path, onChange, onSave, onCancel }: PathProps): JSX.Element {
  const t = useT();
  useEscape(onCancel);
  return (
    <div class="modal-backdrop">
      <ActionForm class="modal export-form" act={() => onSave(path)}>
        <h1>{t("export.title")}</h1>
        <label class="field">
          <span class="field-label">{t("export.path")}</span>
          <input class="input" data-testid="export-path" autoFocus value={path} onInput={(e) => onChange(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <KeyButton testid="export-save" kind="primary" submit label={t("export.save")} keyName="Enter" disabled={path.trim() === ""} />
          <KeyButton testid="export-cancel" label={t("pin.cancel")} keyName="Esc" onClick={onCancel} />
        </div>
      </ActionForm>
    </div>
  );
}
