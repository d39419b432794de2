// The managers: add one, change a PIN or staff id, disable one; each under a manager's PIN. Core keeps the
// rules (a PIN's digits, a unique name, never the last active manager).
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody, ManagerView } from "../bindings";
import { useT } from "../i18n";
import { ActionForm, FieldError, Icon, KeyButton } from "../ui/bits";
import { useDesk } from "./context";
import { useEscape } from "./keys";

type Editing = { id: number | null; name: string; pin: string; pin2: string; staff: string };

export function Managers(): JSX.Element {
  const t = useT();
  const { ask, readFailed } = useDesk();
  const [list, setList] = useState<ManagerView[]>([]);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState<ErrorBody | null>(null);

  const load = useCallback(() => {
    run({ managers: {} })
      .then(setList)
      .catch((e: unknown) => setError({ kind: "internal", code: "internal", field: null, message: readFailed(e) }));
  }, [readFailed]);
  useEffect(load, [load]);

  const done = (r: ErrorBody | null | false) => {
    if (r === null) {
      setEditing(null);
      setError(null);
      load();
    } else if (r) setError(r);
  };

  const save = async (e: Editing) => {
    setError(null);
    const staff = e.staff.trim() === "" ? null : e.staff.trim();
    if (e.id === null) {
      done(await ask(t("managers.addPin"), async (approval) => {
        await run({ add_manager: { name: e.name.trim(), pin: e.pin, staff_id: staff, approval } });
      }));
    } else {
      const id = e.id;
      done(await ask(t("managers.changePin"), async (approval) => {
        await run({ change_manager: { id, pin: e.pin === "" ? null : e.pin, staff_id: staff, approval } });
      }));
    }
  };

  const disable = async (m: ManagerView) => {
    setError(null);
    done(await ask(t("managers.disablePin", { name: m.name }), async (approval) => {
      await run({ disable_manager: { id: m.id, approval } });
    }));
  };

  return (
    <div class="managers" data-testid="managers">
      <div class="desk-toolbar">
        <h2>{t("managers.title")}</h2>
        <KeyButton testid="manager-add" kind="primary" label={t("managers.add")} onClick={() => setEditing({ id: null, name: "", pin: "", pin2: "", staff: "" })} />
      </div>
      {error && !editing && <FieldError testid="managers-error">{error.message}</FieldError>}
      <table class="desk-table" data-testid="managers-table">
        <thead>
          <tr>
            <th>{t("managers.name")}</th>
            <th>{t("managers.staff")}</th>
            <th>{t("managers.state")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr key={m.id} data-testid={`manager-row-${m.id}`}>
              <td>
                <b>{m.name}</b> {m.demo && <span class="pill pill-sandbox">{t("managers.demo")}</span>}
              </td>
              <td class="mono">{m.staff_id ?? "—"}</td>
              <td>
                {!m.active ? t("pin.disabled") : m.locked_until_time ? (
                  <span class="sb-warn-ink">
                    <Icon name="clock" size={18} /> {t("pin.lockedUntil", { time: m.locked_until_time })}
                  </span>
                ) : (
                  t("managers.active")
                )}
              </td>
              <td class="live-actions">
                {m.active && (
                  <>
                    <KeyButton testid={`manager-change-${m.id}`} label={t("managers.change")} onClick={() => setEditing({ id: m.id, name: m.name, pin: "", pin2: "", staff: m.staff_id ?? "" })} />
                    <KeyButton testid={`manager-disable-${m.id}`} kind="danger" label={t("managers.disable")} onClick={() => void disable(m)} />
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && <ManagerForm e={editing} error={error} onChange={setEditing} onSave={save} onCancel={() => setEditing(null)} />}
    </div>
  );
}

type FormProps = { e: Editing; error: ErrorBody | null; onChange: (e: Editing) => void; onSave: (e: Editing) => Promise<void>; onCancel: () => void };

function ManagerForm({ e, error, onChange, onSave, onCancel }: FormProps): JSX.Element {
  const t = useT();
  const adding = e.id === null;
  useEscape(onCancel);
  // Typed twice so a slip is caught before a PIN nobody knows is stored (a comparison, not a PIN rule).
  const mismatch = e.pin2 !== "" && e.pin !== e.pin2;
  const ready = (adding ? e.name.trim() !== "" && e.pin !== "" : true) && !mismatch && (e.pin === "" || e.pin2 !== "");
  return (
    <div class="modal-backdrop">
      <ActionForm class="modal manager-form" act={() => onSave(e)}>
        <h1>{adding ? t("managers.add") : t("managers.changeTitle", { name: e.name })}</h1>
        {adding && (
          <label class="field">
            <span class="field-label">{t("managers.name")}</span>
            <input class="input" data-testid="mf-name" autoFocus value={e.name} onInput={(x) => onChange({ ...e, name: x.currentTarget.value })} />
          </label>
        )}
        <div class="field-row">
          <label class="field">
            <span class="field-label">{adding ? t("managers.pin") : t("managers.newPin")}</span>
            <input class="input" type="password" inputMode="numeric" data-testid="mf-pin" autoFocus={!adding} value={e.pin} onInput={(x) => onChange({ ...e, pin: x.currentTarget.value })} />
          </label>
          <label class="field">
            <span class="field-label">{t("managers.pin2")}</span>
            <input class="input" type="password" inputMode="numeric" data-testid="mf-pin2" value={e.pin2} onInput={(x) => onChange({ ...e, pin2: x.currentTarget.value })} />
          </label>
        </div>
        {mismatch && <FieldError testid="mf-mismatch">{t("managers.mismatch")}</FieldError>}
        <label class="field">
          <span class="field-label">{t("managers.staff")}</span>
          <input class="input" data-testid="mf-staff" value={e.staff} placeholder={t("managers.staffHint")} onInput={(x) => onChange({ ...e, staff: x.currentTarget.value })} />
        </label>
        {error && <FieldError testid="mf-error">{error.message}</FieldError>}
        <div class="actions">
          <KeyButton testid="mf-save" kind="primary" submit label={t("managers.save")} keyName="Enter" disabled={!ready} />
          <KeyButton testid="mf-cancel" label={t("pin.cancel")} keyName="Esc" onClick={onCancel} />
        </div>
      </ActionForm>
    </div>
  );
}
