import type { JSX } from "preact";
import type { BackendStatus, PrinterView, StoreView, TillStatus } from "../bindings";
import { useT, type Translate } from "../i18n";
import type { Store } from "../store";
import { Icon } from "./bits";

/** Core says the backend's state in words and whether it is a fault (unchecked before the login is one). */
function backendClass(b: BackendStatus): string {
  if (b.fault) return "bad";
  return b.state === "reachable" ? "ok" : "off";
}

function scannerWord(s: TillStatus["scanner"], t: Translate): { cls: string; word: string } {
  switch (s.state) {
    case "connected":
      return { cls: "ok", word: t("status.scannerConnected") };
    case "connecting":
      return { cls: "off", word: t("status.scannerConnecting") };
    case "reconnecting":
      return { cls: "bad", word: t("status.scannerReconnecting") };
    case "disconnected":
      return { cls: "bad", word: s.message ?? t("status.scannerDisconnected") };
    case "off":
      return { cls: "off", word: t("status.scannerOff") };
  }
}

/** The scanner gun: connected, (re)connecting or away in the colour of a fault, its port as the tooltip. */
export function ScannerItem({ scanner }: { scanner: TillStatus["scanner"] }): JSX.Element {
  const t = useT();
  const said = scannerWord(scanner, t);
  return (
    <span class={`sb-item sb-${said.cls}`} data-testid="status-scanner" title={scanner.port ?? ""}>
      <Icon name={said.cls === "bad" ? "cross" : "scan"} size={18} />
      {/* core's message already names the scanner */}
      {scanner.state === "disconnected" && scanner.message ? said.word : `${t("status.scanner")} ${said.word}`}
    </span>
  );
}

/** The receipt printer in core's words (`打印机 缺纸 · 2 张待打印`), in the colour of a fault when core says it
 * is one, its last fault as the tooltip; nothing when no printer is set. */
export function PrinterItem({ printer }: { printer: PrinterView }): JSX.Element | null {
  if (!printer.configured) return null;
  return (
    <span
      class={`sb-item ${printer.fault ? "sb-bad" : "sb-ok"}`}
      data-testid="status-printer"
      data-fault={printer.fault}
      title={printer.message ?? printer.url ?? ""}
    >
      <Icon name={printer.fault ? "cross" : "printer"} size={18} /> {printer.label}
    </span>
  );
}

/** The link to the store the journal ships to, in core's words (`门店 已同步`, `门店 离线 自 14:05 · 12 条待传`),
 * in the colour of a fault when core says it is one, what went wrong as the tooltip; nothing when the till
 * ships nowhere (no `[store]`). */
export function StoreItem({ link }: { link: StoreView | null }): JSX.Element | null {
  if (!link) return null;
  return (
    <span
      class={`sb-item ${link.fault ? "sb-bad" : "sb-ok"}`}
      data-testid="status-store"
      data-fault={link.fault}
      title={link.message ?? ""}
    >
      <Icon name={link.fault ? "cross" : "store"} size={18} /> {link.label}
    </span>
  );
}

/** Till, operator, each backend, the serial scanner, the printer, the store, clock warning, live/Unknown count, language, settings.
 * Every state is a word next to its dot, never the dot's colour alone. */
export function StatusBar({ store, status }: { store: Store; status: TillStatus }): JSX.Element {
  const t = useT();
  const hasLive = status.live_count > 0;
  return (
    <footer class="statusbar" data-testid="status-bar">
      <span class="sb-item" data-testid="status-till">
        {t("status.till", { till: status.till })}
      </span>
      {status.logged_in && (
        <span class="sb-item" data-testid="status-operator">
          {t("status.operator", { operator: status.operator })}
        </span>
      )}
      {status.backends.map((b) => {
        const cls = backendClass(b);
        return (
          <span
            key={b.name}
            class={`sb-item sb-${cls}`}
            data-testid={`status-backend-${b.name}`}
            data-fault={b.fault}
            title={b.message ?? ""}
          >
            <Icon name={b.state === "unreachable" ? "cross" : b.fault ? "warn" : "dot"} size={16} /> {b.label} {b.word}
          </span>
        );
      })}
      <ScannerItem scanner={status.scanner} />
      <PrinterItem printer={status.printer} />
      <StoreItem link={status.store} />
      {status.clock_warning && (
        <span class="sb-item sb-warn" data-testid="status-clock">
          <Icon name="warn" size={18} /> {status.clock_warning}
        </span>
      )}
      {/* the buttons keep together at the right: a bar too narrow for one line puts them all on the next */}
      <span class="sb-end">
        {status.logged_in && (
          <button
            type="button"
            class={`sb-item sb-button ${status.unknown_count > 0 ? "sb-unknown" : hasLive ? "sb-live" : ""}`}
            data-testid="status-live"
            onClick={() => store.open("live")}
          >
            {status.unknown_count > 0 && <Icon name="question" size={18} />}
            {status.unknown_count > 0
              ? t("status.liveUnknown", { live: status.live_count, unknown: status.unknown_count })
              : t("status.live", { live: status.live_count })}
          </button>
        )}
        {status.logged_in && (
          <button type="button" class="sb-item sb-button" data-testid="desk-button" onClick={() => store.open(store.state.overlay === "desk" ? null : "desk")}>
            <Icon name="key" size={20} />
            <span class="sb-wider">{t("status.desk")}</span> <kbd>F12</kbd>
          </button>
        )}
        <button
          type="button"
          class="sb-item sb-button"
          data-testid="lang-switch"
          onClick={() => void store.setLang(status.lang === "en" ? "zh-CN" : "en")}
        >
          {status.lang === "en" ? "中文" : "English"}
        </button>
        {status.logged_in && (
          <button
            type="button"
            class="sb-item sb-button"
            data-testid="settings-button"
            title={t("status.settings")}
            aria-label={t("status.settings")}
            onClick={() => store.open("settings")}
          >
            <Icon name="gear" size={20} />
            <span class="sb-wide">{t("status.settings")}</span> <kbd>F10</kbd>
          </button>
        )}
      </span>
    </footer>
  );
}

export function SandboxBanner(): JSX.Element {
  const t = useT();
  return (
    <div class="sandbox-banner" data-testid="sandbox-banner" role="note">
      <span>{t("sandbox.banner")}</span>
    </div>
  );
}
