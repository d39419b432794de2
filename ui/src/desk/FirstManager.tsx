// The first start of a till with real backends: the first manager (name, PIN twice, staff id) before anything
// else. Core checks the PIN and the name; this screen only catches a slip between the two PINs.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody } from "../bindings";
import { useT } from "../i18n";
import type { Store } from "../store";
import { ActionForm, FieldError, KeyButton } from "../ui/bits";

export function FirstManager({ store }: { store: Store }): JSX.Element {
  const t = useT();
  const [name, setName] = useState("");
  const [pin, setPin] = useState("");
  const [pin2, setPin2] = useState("");
  const [staff, setStaff] = useState("");
  const [error, setError] = useState<ErrorBody | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = pin2 !== "" && pin !== pin2;

  const submit = async () => {
    if (busy || mismatch) return;
    setBusy(true);
    try {
      await run({ create_first_manager: { name: name.trim(), pin, staff_id: staff.trim() === "" ? null : staff.trim() } });
      store.setStatus(await run({ status: {} }));
    } catch (e) {
      setError(e as ErrorBody);
      setPin("");
      setPin2("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <ActionForm class="login first-manager" act={submit}>
      <h1 class="login-title">{t("first.title")}</h1>
      <p class="explain">{t("first.explain")}</p>
      <label class="field">
        <span class="field-label">{t("managers.name")}</span>
        <input class="input" data-testid="first-name" autoFocus value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <div class="field-row">
        <label class="field">
          <span class="field-label">{t("managers.pin")}</span>
          <input class="input" type="password" inputMode="numeric" data-testid="first-pin" value={pin} onInput={(e) => setPin(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t("managers.pin2")}</span>
          <input class="input" type="password" inputMode="numeric" data-testid="first-pin2" value={pin2} onInput={(e) => setPin2(e.currentTarget.value)} />
        </label>
      </div>
      {mismatch && <FieldError testid="first-mismatch">{t("managers.mismatch")}</FieldError>}
      <label class="field">
        <span class="field-label">{t("first.staff")}</span>
        <input class="input" data-testid="first-staff" placeholder={t("managers.staffHint")} value={staff} onInput={(e) => setStaff(e.currentTarget.value)} />
      </label>
      {error && <FieldError testid="first-error">{error.message}</FieldError>}
      <KeyButton
        testid="first-submit"
        kind="primary"
        big
        submit
        label={busy ? t("login.busy") : t("first.submit")}
        keyName="Enter"
        disabled={busy || name.trim() === "" || pin === "" || pin2 === "" || mismatch}
      />
    </ActionForm>
  );
}
