import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ErrorBody, TillStatus } from "../bindings";
import { useT } from "../i18n";
import type { Store } from "../store";
import { ActionForm, FieldError, KeyButton } from "../ui/bits";

/** Operator and password (Tour V5 login). The password lives only in this form until it is sent. */
export function Login({ store, status }: { store: Store; status: TillStatus }): JSX.Element {
  const t = useT();
  const [operator, setOperator] = useState(status.operator);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ErrorBody | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    const err = await store.login(operator.trim(), password);
    setBusy(false);
    setPassword("");
    setError(err);
  };

  const fieldError = (f: "operator" | "password") =>
    error?.field === f ? (
      <FieldError testid={`login-${f}-error`}>{error.message}</FieldError>
    ) : null;

  return (
    <ActionForm class="login" act={submit}>
      <h1 class="login-title">{t("login.title")}</h1>
      {status.merchant && <p class="login-merchant">{status.merchant}</p>}
      <label class="field">
        <span class="field-label">{t("login.operator")}</span>
        <input
          class="input"
          data-testid="login-operator"
          autoComplete="username"
          autoFocus={operator === ""}
          value={operator}
          onInput={(e) => setOperator(e.currentTarget.value)}
        />
      </label>
      {fieldError("operator")}
      <label class="field">
        <span class="field-label">{t("login.password")}</span>
        <input
          class="input"
          type="password"
          data-testid="login-password"
          autoComplete="current-password"
          autoFocus={operator !== ""}
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      {fieldError("password")}
      {error && error.field !== "operator" && error.field !== "password" && (
        <FieldError testid="login-error">{error.message}</FieldError>
      )}
      <KeyButton
        testid="login-submit"
        kind="primary"
        big
        submit
        label={busy ? t("login.busy") : t("login.submit")}
        keyName="Enter"
        disabled={busy || operator.trim() === "" || password === ""}
      />
      {status.login_hint && (
        <p class="login-hint" data-testid="login-hint">
          {status.login_hint}
        </p>
      )}
    </ActionForm>
  );
}
