// The only module that talks to the Till: typed wrappers over the Tauri commands and the `till` event.
// In a plain browser (no Tauri shell: `npm run dev`, screenshots, unit tests) the calls go to the
// in-browser fake in dev/fakeTill.ts instead, loaded lazily so the desktop app never carries it in memory.
import type {
  AttemptFilter,
  AttemptView,
  DayReportView,
  ErrorBody,
  ErrorKind,
  InputCheck,
  Lang,
  QrChoice,
  SettingsInput,
  SettingsView,
  TillEvent,
  TillStatus,
} from "./bindings";

/** How the UI reaches a Till: the Tauri IPC, or the dev fake. */
export type TillTransport = {
  invoke(cmd: string, args: Record<string, unknown>): Promise<unknown>;
  listen(handler: (event: TillEvent) => void): Promise<() => void>;
}

const ERROR_KINDS: readonly ErrorKind[] = [
  "config",
  "input",
  "rejected",
  "not_found",
  "not_allowed",
  "unreachable",
  "no_answer",
  "internal",
];

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.kind === "string" &&
    (ERROR_KINDS as readonly string[]).includes(v.kind) &&
    typeof v.code === "string" &&
    typeof v.message === "string"
  );
}

/** Whatever a command rejected with, as an ErrorBody: the shell's own failures (a panic, a missing
 * command) arrive as plain strings and must still reach the cashier as words, not as a blank screen. */
export function toErrorBody(reason: unknown): ErrorBody {
  if (isErrorBody(reason)) return { ...reason, field: reason.field ?? null };
  const message = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return { kind: "internal", code: "internal", message, field: null };
}

export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function tauriTransport(): Promise<TillTransport> {
  const [{ invoke }, { listen }] = await Promise.all([import("@tauri-apps/api/core"), import("@tauri-apps/api/event")]);
  return {
    invoke: (cmd, args) => invoke(cmd, args),
    listen: (handler) => listen<TillEvent>("till", (e) => handler(e.payload)),
  };
}

async function fakeTransport(): Promise<TillTransport> {
  const { fakeTill } = await import("./dev/fakeTill");
  // The customer display shows what the cashier's page does.
  return fakeTill(window.location.pathname.endsWith("customer.html") ? "receive" : "send");
}

let transport: Promise<TillTransport> | null = null;

/** Tests and the dev page may put their own transport in place before the first call. */
export function setTransport(t: TillTransport): void {
  transport = Promise.resolve(t);
}

function current(): Promise<TillTransport> {
  transport ??= inTauri() ? tauriTransport() : fakeTransport();
  return transport;
}

async function call<T>(cmd: string, args: Record<string, unknown>): Promise<T> {
  const t = await current();
  try {
    return (await t.invoke(cmd, args)) as T;
  } catch (e) {
    // The contract: every command rejects with an ErrorBody (a plain object, as Tauri delivers it).
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toErrorBody(e);
  }
}

/** The shell asks before the window closes while a payment is being followed (`close-requested`);
 * outside Tauri nothing ever asks. Resolves to the function that unsubscribes. */
export async function onCloseRequested(handler: () => void): Promise<() => void> {
  if (!inTauri()) return () => undefined;
  const { listen } = await import("@tauri-apps/api/event");
  return listen("close-requested", () => handler());
}

/** Subscribe to the Till's events; resolves to the function that unsubscribes. */
export async function onTillEvent(handler: (event: TillEvent) => void): Promise<() => void> {
  const t = await current();
  return t.listen(handler);
}

// Argument names follow the contract (docs/till-api.md): snake_case, e.g. `scan_id`.
export const till = {
  status: () => call<TillStatus>("status", {}),
  login: (operator: string, password: string) => call<TillStatus>("login", { operator, password }),
  setLang: (lang: Lang) => call<TillStatus>("set_lang", { lang }),
  checkBill: (raw: string) => call<InputCheck>("check_bill", { raw }),
  checkAmount: (raw: string) => call<InputCheck>("check_amount", { raw }),
  startBarcode: (bill: string, amount: string, code: string) =>
    call<AttemptView>("start_barcode", { bill, amount, code }),
  startScanned: (bill: string, amount: string, scanId: number) =>
    call<AttemptView>("start_scanned", { bill, amount, scan_id: scanId }),
  startQr: (bill: string, amount: string, choice: QrChoice) => call<AttemptView>("start_qr", { bill, amount, choice }),
  cancel: (id: number) => call<AttemptView>("cancel", { id }),
  queryAgain: (id: number) => call<AttemptView>("query_again", { id }),
  resolve: (id: number, to: "paid" | "failed", note: string, manager: string) =>
    call<AttemptView>("resolve", { id, to, note, manager }),
  refund: (id: number, amount: string, note: string, manager: string) =>
    call<AttemptView>("refund", { id, amount, note, manager }),
  attempt: (id: number) => call<AttemptView>("attempt", { id }),
  attempts: (filter: AttemptFilter) => call<AttemptView[]>("attempts", { filter }),
  dayReport: (day: string | null) => call<DayReportView>("day_report", { day }),
  serialPorts: () => call<string[]>("serial_ports", {}),
  settings: () => call<SettingsView>("settings", {}),
  saveSettings: (settings: SettingsInput) => call<SettingsView>("save_settings", { settings }),
  /** The cashier confirmed closing while a payment is live: the journal keeps it, the next start recovers it. */
  closeAnyway: () => call<null>("close_anyway", {}),
};
