// A manager's approval where an action needs one: the manager chosen from core's list (two people
// may share a PIN), then the PIN. Core checks it; this only collects it.
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Approval, ManagerView } from "../bindings";
import { run } from "../api";
import { useT } from "../i18n";

/** The chosen manager and typed PIN, reported as an `Approval` (null until a manager is chosen). */
export function ApprovalFields({ onChange }: { onChange: (a: Approval | null) => void }): JSX.Element {
  const t = useT();
  const [managers, setManagers] = useState<ManagerView[]>([]);
  const [manager, setManager] = useState<number | null>(null);
  const [pin, setPin] = useState("");

  useEffect(() => {
    run({ managers: {} })
      .then((list) => {
        const active = list.filter((m) => m.active);
        setManagers(active);
        const first = active[0];
        if (first && manager === null) setManager(first.id);
      })
      .catch(() => setManagers([]));
  }, []);
  useEffect(() => onChange(manager === null ? null : { manager, pin }), [manager, pin]);

  return (
    <>
      <label class="field">
        <span class="field-label">{t("manager.id")}</span>
        <select class="input" data-testid="manager-id" value={manager ?? ""} onChange={(e) => setManager(Number(e.currentTarget.value))}>
          {managers.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">{t("manager.pin")}</span>
        <input class="input" data-testid="manager-pin" type="password" inputMode="numeric" autoComplete="off" value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
      </label>
    </>
  );
}
