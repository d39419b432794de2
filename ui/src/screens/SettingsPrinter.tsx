// The settings' printer section: the shop's name on every slip, the printer (chosen from the machine's serial
// ports or typed: one URL form, checked by core when the settings are saved), paper, code page, slips on/off,
// and a test page printed with the saved settings.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { run } from "../api";
import type { CodePage, ErrorBody, Paper, PrinterView, SettingsInput } from "../bindings";
import { useT } from "../i18n";
import { PrinterSaid } from "../print/PrintJobs";
import { FieldError, KeyButton } from "../ui/bits";

type Props = {
  draft: SettingsInput;
  set: <K extends keyof SettingsInput>(k: K, v: SettingsInput[K]) => void;
  /** The machine's serial ports (core's serial_ports). */
  ports: string[];
};

/** The forms a printer is named in, offered as the field is typed: each serial port, then the others. */
function urlChoices(ports: string[]): string[] {
  return [...ports.map((p) => `serial:${p}`), "usb:/dev/usb/lp0", "tcp://:9100", "file:"];
}

export function PrinterSettings({ draft, set, ports }: Props): JSX.Element {
  const t = useT();
  const [said, setSaid] = useState<PrinterView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);

  const testPage = async () => {
    setSaid(null);
    setError(null);
    setTesting(true);
    try {
      setSaid(await run({ print_test_page: {} }));
    } catch (e) {
      setError((e as ErrorBody).message);
    } finally {
      setTesting(false);
    }
  };

  return (
    <fieldset class="settings-printer" data-testid="settings-printer">
      <legend>{t("settings.printer")}</legend>
      <div class="printer-cols">
        <div>
          <label class="field">
            <span class="field-label">{t("settings.shop")}</span>
            <input class="input" data-testid="settings-shop" value={draft.shop} onInput={(e) => set("shop", e.currentTarget.value)} />
          </label>
          <label class="field">
            <span class="field-label">{t("settings.printerUrl")}</span>
            <input
              class="input"
              data-testid="settings-printer-url"
              list="printer-urls"
              placeholder={t("settings.noPrinter")}
              spellcheck={false}
              autoComplete="off"
              value={draft.printer_url}
              onInput={(e) => set("printer_url", e.currentTarget.value)}
            />
            <datalist id="printer-urls" data-testid="settings-printer-urls">
              {urlChoices(ports).map((u) => (
                <option key={u} value={u} />
              ))}
            </datalist>
          </label>
          <p class="field-hint" data-testid="settings-printer-hint">
            {t("settings.printerHint")}
          </p>
        </div>
        <div>
          <label class="field">
            <span class="field-label">{t("settings.paper")}</span>
            <select
              class="input"
              data-testid="settings-printer-paper"
              value={draft.printer_paper}
              onChange={(e) => set("printer_paper", e.currentTarget.value as Paper)}
            >
              <option value="80mm">80 mm</option>
              <option value="58mm">58 mm</option>
            </select>
          </label>
          <label class="field">
            <span class="field-label">{t("settings.codePage")}</span>
            <select
              class="input"
              data-testid="settings-printer-code-page"
              value={draft.printer_code_page}
              onChange={(e) => set("printer_code_page", e.currentTarget.value as CodePage)}
            >
              <option value="gbk">GBK</option>
              <option value="gb18030">GB18030</option>
            </select>
          </label>
          <label class="field field-check">
            <input
              type="checkbox"
              data-testid="settings-printer-slips"
              checked={draft.printer_slips}
              onChange={(e) => set("printer_slips", e.currentTarget.checked)}
            />
            <span>{t("settings.slips")}</span>
          </label>
          <div class="field-row">
            <KeyButton
              testid="settings-test-page"
              label={testing ? t("settings.testPagePrinting") : t("settings.testPage")}
              disabled={testing}
              onClick={() => void testPage()}
            />
            <small class="field-hint">{t("settings.testPageSaved")}</small>
          </div>
          {said && <PrinterSaid printer={said} testid="settings-test-page-said" />}
          {error && <FieldError testid="settings-test-page-error">{error}</FieldError>}
        </div>
      </div>
    </fieldset>
  );
}
