import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody, Lang, SettingsInput, SettingsView } from "../bindings";
import { useApproval } from "../desk/PinPad";
import { type MsgKey, useT } from "../i18n";
import type { Store } from "../store";
import { ActionForm, FieldError, KeyButton } from "../ui/bits";
import { PrinterSettings } from "./SettingsPrinter";

type Draft = SettingsInput;

/** The fields typed as numbers; core reads and checks them. */
type NumberField = "scanner_baud" | "poll_wechat_give_up_s" | "poll_cloud_give_up_s" | "poll_qr_give_up_s";
const LABEL: Record<NumberField | "till" | "operator" | "timezone" | "max_amount" | "tourv5_url" | "cloudpay_prefix", MsgKey> = {
  till: "settings.till",
  operator: "settings.operator",
  timezone: "settings.timezone",
  max_amount: "settings.maxAmount",
  tourv5_url: "settings.tourv5Url",
  cloudpay_prefix: "settings.cloudpayPrefix",
  scanner_baud: "settings.scannerBaud",
  poll_wechat_give_up_s: "settings.pollWechat",
  poll_cloud_give_up_s: "settings.pollCloud",
  poll_qr_give_up_s: "settings.pollQr",
};

function toDraft(v: SettingsView): Draft {
  return {
    till: v.till,
    operator: v.operator,
    lang: v.lang,
    timezone: v.timezone,
    max_amount: v.max_amount,
    tourv5_url: v.tourv5_url,
    cloudpay_hosts: v.cloudpay_hosts,
    cloudpay_prefix: v.cloudpay_prefix,
    cloudpay_key: null,
    scanner_port: v.scanner_port,
    scanner_baud: v.scanner_baud,
    scanner_terminator: v.scanner_terminator,
    poll_wechat_give_up_s: v.poll_wechat_give_up_s,
    poll_cloud_give_up_s: v.poll_cloud_give_up_s,
    poll_qr_give_up_s: v.poll_qr_give_up_s,
    shop: v.shop,
    printer_url: v.printer_url,
    printer_paper: v.printer_paper,
    printer_code_page: v.printer_code_page,
    printer_slips: v.printer_slips,
    customer_display: v.customer_display,
  };
}

const orNull = (s: string | null): string | null => (s === null || s.trim() === "" ? null : s.trim());

/** Backends, the Cloud Pay key (write-only), the scanner port from the machine's serial ports, poll
 * policies, language, the receipt printer. Core checks and saves; this form only collects. */
export function Settings({ store }: { store: Store }): JSX.Element {
  const t = useT();
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [ports, setPorts] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // Saving needs a manager's PIN: chosen and typed on the PIN pad.
  const { pad, ask } = useApproval();

  const loadPorts = () =>
    run({ serial_ports: {} })
      .then(setPorts)
      .catch((e: unknown) => setError((e as ErrorBody).message));

  useEffect(() => {
    run({ settings: {} })
      .then((v) => {
        setView(v);
        setDraft(toDraft(v));
      })
      .catch((e: unknown) => setError((e as ErrorBody).message));
    void loadPorts();
  }, []);

  if (!draft || !view) {
    return (
      <div class="settings">
        <h1>{t("settings.title")}</h1>
        {error && (
          <FieldError testid="settings-error">{error}</FieldError>
        )}
      </div>
    );
  }

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setSaved(false);
    setDraft({ ...draft, [k]: v });
  };

  const save = async () => {
    const input: SettingsInput = {
      ...draft,
      tourv5_url: orNull(draft.tourv5_url),
      cloudpay_prefix: orNull(draft.cloudpay_prefix),
      cloudpay_key: orNull(draft.cloudpay_key),
    };
    setError(null);
    const r = await ask(t("settings.pinTitle"), async (approval) => {
      const v = await run({ save_settings: { settings: input, approval } });
      setView(v);
      setDraft(toDraft(v));
      setSaved(true);
    });
    if (r) setError(r.message);
    if (r === null) store.setStatus(await run({ status: {} }));
  };

  /** A field typed as text; `numeric` brings up a number pad (core reads and checks the number). An
   * optional field left empty is sent as not set. */
  const text = (k: keyof typeof LABEL, testid: string, opts: { numeric?: boolean; placeholder?: string } = {}) => (
    <label class="field">
      <span class="field-label">{t(LABEL[k])}</span>
      <input
        class="input"
        {...(opts.numeric ? { inputMode: "numeric" as const } : {})}
        data-testid={testid}
        placeholder={opts.placeholder}
        value={draft[k] ?? ""}
        onInput={(e) => set(k, e.currentTarget.value)}
      />
    </label>
  );
  const portChoices = draft.scanner_port && !ports.includes(draft.scanner_port) ? [draft.scanner_port, ...ports] : ports;

  return (
    <ActionForm class="settings" act={save}>
      <div class="settings-head">
        <h1>{t("settings.title")}</h1>
        {view.sandbox && <span class="pill pill-sandbox">{t("settings.sandbox")}</span>}
        <span class="sb-spacer" />
        {saved && (
          <span class="field-ok" data-testid="settings-saved" role="status">
            {t("settings.saved")}
          </span>
        )}
        <KeyButton testid="settings-save" kind="primary" submit label={t("settings.save")} keyName="Enter" />
        <KeyButton testid="settings-close" kind="secondary" label={t("settings.close")} keyName="Esc" onClick={() => store.open(null)} />
      </div>
      {pad}
      {error && (
        <FieldError testid="settings-error">{error}</FieldError>
      )}
      <div class="settings-grid">
        <fieldset>
          <legend>{t("settings.tillSection")}</legend>
          {text("till", "settings-till")}
          {text("operator", "settings-operator")}
          <label class="field">
            <span class="field-label">{t("settings.lang")}</span>
            <select class="input" data-testid="settings-lang" value={draft.lang} onChange={(e) => set("lang", e.currentTarget.value as Lang)}>
              <option value="zh-CN">中文</option>
              <option value="en">English</option>
            </select>
          </label>
          {text("timezone", "settings-timezone")}
          {text("max_amount", "settings-max-amount")}
          <label class="field">
            <span class="field-label">{t("settings.customerDisplay")}</span>
            <select
              class="input"
              data-testid="settings-customer-display"
              value={draft.customer_display}
              onChange={(e) => set("customer_display", e.currentTarget.value)}
            >
              {view.customer_display_choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </label>
          <p class="field-hint" data-testid="settings-customer-display-hint">
            {t("settings.customerDisplayHint")}
          </p>
        </fieldset>
        <fieldset>
          <legend>{t("settings.backends")}</legend>
          {text("tourv5_url", "settings-tourv5-url", { placeholder: t("settings.notSet") })}
          <label class="field">
            <span class="field-label">{t("settings.cloudpayHosts")}</span>
            <textarea
              class="input"
              rows={2}
              data-testid="settings-cloudpay-hosts"
              placeholder={t("settings.onePerLine")}
              value={draft.cloudpay_hosts}
              onInput={(e) => set("cloudpay_hosts", e.currentTarget.value)}
            />
          </label>
          {text("cloudpay_prefix", "settings-cloudpay-prefix")}
          <label class="field">
            <span class="field-label">{t("settings.cloudpayKey")}</span>
            <input
              class="input"
              type="password"
              autoComplete="new-password"
              data-testid="settings-cloudpay-key"
              placeholder={view.cloudpay_key_set ? t("settings.keySet") : t("settings.keyNotSet")}
              value={draft.cloudpay_key ?? ""}
              onInput={(e) => set("cloudpay_key", e.currentTarget.value)}
            />
          </label>
        </fieldset>
        <fieldset>
          <legend>{t("settings.scanner")}</legend>
          <div class="field-row">
            <label class="field">
              <span class="field-label">{t("settings.scannerPort")}</span>
              <select
                class="input"
                data-testid="settings-scanner-port"
                value={draft.scanner_port ?? ""}
                onChange={(e) => set("scanner_port", e.currentTarget.value === "" ? null : e.currentTarget.value)}
              >
                <option value="">{t("settings.noScanner")}</option>
                {portChoices.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </label>
            <KeyButton testid="settings-scanner-refresh" kind="quiet" label={t("settings.refreshPorts")} onClick={() => void loadPorts()} />
          </div>
          <div class="field-row">
            <label class="field">
              <span class="field-label">{t(LABEL.scanner_baud)}</span>
              <select class="input" data-testid="settings-scanner-baud" value={draft.scanner_baud} onChange={(e) => set("scanner_baud", e.currentTarget.value)}>
                {view.baud_choices.map((b) => (
                  <option key={b} value={b}>
                    {b}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field-label">{t("settings.scannerTerminator")}</span>
              <select
                class="input"
                data-testid="settings-scanner-terminator"
                value={draft.scanner_terminator}
                onChange={(e) => set("scanner_terminator", e.currentTarget.value as Draft["scanner_terminator"])}
              >
                <option value="cr">CR</option>
                <option value="lf">LF</option>
                <option value="crlf">CR LF</option>
                <option value="none">{t("settings.terminatorNone")}</option>
              </select>
            </label>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("settings.polling")}</legend>
          {text("poll_wechat_give_up_s", "settings-poll-wechat", { numeric: true })}
          {text("poll_cloud_give_up_s", "settings-poll-cloud", { numeric: true })}
          {text("poll_qr_give_up_s", "settings-poll-qr", { numeric: true })}
        </fieldset>
        <PrinterSettings draft={draft} set={set} ports={ports} />
      </div>
      <p class="settings-path" data-testid="settings-config-path">
        {t("settings.configPath")} <code>{view.config_path}</code>
      </p>
    </ActionForm>
  );
}
