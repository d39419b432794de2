/* eslint-disable @typescript-eslint/only-throw-error, @typescript-eslint/prefer-promise-reject-errors --
   the fake refuses the way Tauri's invoke does: with a plain ErrorBody object, not an Error. */
// DEV AID ONLY. An in-browser stand-in for the Till, used when the page runs without the Tauri shell
// (`npm run dev`, `vite preview`, screenshots, UI unit tests). It only drives the screens through their
// states: the real rules (validation, routing, labels, polling) live in the Rust core. The Rust sandbox,
// not this file, is what the end-to-end tests run against.
//
// Scenarios pick themselves from the scanned code's last digit:
//   …1 customer enters a password, then paid   …2 failed (insufficient balance)
//   …3 no answer → Unknown (query again → paid) …4 partly paid     anything else: paid
// QR codes stay shown until `window.__cashierFake.pay()` (or 60 s pass: then paid).
import scanRules from "../../test/fixtures/scan-rules.json";
import type { TillTransport } from "../api";
import type {
  AttemptView,
  ScanRule,
  Channel,
  ErrorBody,
  Field,
  InputCheck,
  Lang,
  QrChoice,
  SettingsInput,
  SettingsView,
  TillEvent,
  TillStatus,
} from "../bindings";
import { fakeQrSvg } from "./fakeQr";
import { FAKE_TEXT, type FakeTextKey } from "./fakeText";

type Rec = {
  id: number;
  bill: string;
  fen: number;
  channel: Channel;
  wallet: "wechat" | "alipay" | null;
  state: AttemptView["state"];
  scenario: "paid" | "password" | "failed" | "unknown" | "partly" | "qr";
  code: string | null;
  created: number;
  updated: number;
  until: number | null; // QR shown until / abandoned QR payable until (epoch ms)
  queried: number;
  paidFen: number;
};

const CHANNEL_LABEL: Record<Channel, FakeTextKey> = {
  "wechat-qr": "ch.wechatQr",
  "alipay-qr": "ch.alipayQr",
  "koudai-barcode": "ch.koudai",
  "pos-wechat-barcode": "ch.posWechat",
  "cloud-qr": "ch.cloudQr",
  "cloud-barcode": "ch.cloudBarcode",
};
const QR_CHANNEL: Record<QrChoice, [Channel, "wechat" | "alipay"]> = {
  wechat_qr: ["wechat-qr", "wechat"],
  alipay_qr: ["alipay-qr", "alipay"],
  cloud_wechat_qr: ["cloud-qr", "wechat"],
  cloud_alipay_qr: ["cloud-qr", "alipay"],
};
const LIVE = new Set(["sending", "pending", "issuing", "shown", "unknown", "abandoned"]);
const QR_MS = 120_000;

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function yuan(fen: number): string {
  const s = String(fen).padStart(3, "0");
  return `¥${s.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ",")}.${s.slice(-2)}`;
}

export type FakeControls = {
  /** The customer pays the QR on screen (or the given attempt). */
  pay(id?: number): void;
  /** A serial scanner read (a payment code, or garbage). */
  serialScan(code: string | null): void;
  scanner(state: TillStatus["scanner"]["state"]): void;
  backendDown(down: boolean): void;
  clockSkew(on: boolean): void;
};

declare global {
  // Augmenting a global needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface Window {
    __cashierFake?: FakeControls;
  }
}

/** How a fake shares its events with other pages of the same browser: the cashier's page sends, the
 * customer display receives (so it shows the cashier's payments), tests neither. */
export type FakeSharing = "send" | "receive" | "none";

export function fakeTill(sharing: FakeSharing = "none"): TillTransport & { close(): void } {
  const listeners = new Set<(e: TillEvent) => void>();
  const recs = new Map<number, Rec>();
  const channel = sharing === "none" || typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("cashier-fake-till");
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let nextId = 1;
  let nextScan = 1;
  const pendingScans = new Map<number, string>();
  let lang: Lang = "zh-CN";
  let operator = "";
  let backendDown = false;
  let skew = false;
  let scanner: TillStatus["scanner"] = { state: "connected", port: "/dev/ttyUSB0", message: null };
  let settings: SettingsView = {
    till: "01",
    operator: "cashier",
    lang,
    timezone: "Asia/Shanghai",
    max_amount: "100000.00",
    tourv5_url: null,
    cloudpay_hosts: [],
    cloudpay_prefix: null,
    cloudpay_key_set: false,
    scanner_port: "/dev/ttyUSB0",
    scanner_baud: 9600,
    scanner_terminator: "cr",
    poll_wechat_give_up_s: 60,
    poll_cloud_give_up_s: 60,
    poll_qr_give_up_s: 120,
    config_path: "~/.config/cashier/cashier.toml",
    sandbox: true,
  };

  const tx = (k: FakeTextKey, vars: Record<string, string> = {}): string =>
    FAKE_TEXT[lang][k].replace(/\{(\w+)\}/g, (_, n: string) => vars[n] ?? "");

  const emitLocal = (e: TillEvent) => {
    for (const l of listeners) l(e);
  };
  const emit = (e: TillEvent) => {
    emitLocal(e);
    if (sharing === "send") channel?.postMessage(e);
  };
  if (channel && sharing === "receive") channel.onmessage = (m: MessageEvent<TillEvent>) => emitLocal(m.data);

  const fail = (
    kind: ErrorBody["kind"],
    code: ErrorBody["code"],
    key: FakeTextKey,
    field: Field | null = null,
    vars: Record<string, string> = {},
  ): never => {
    throw { kind, code, message: tx(key, vars), field } satisfies ErrorBody;
  };

  function status(): TillStatus {
    const live = [...recs.values()].filter((r) => LIVE.has(r.state));
    return {
      sandbox: true,
      till: settings.till,
      operator,
      lang,
      logged_in: operator !== "",
      needs_password: true,
      merchant: tx("merchant"),
      login_hint: tx("hint"),
      backends: [
        { name: "tourv5", label: "Tour V5", configured: true, reachable: !backendDown, message: backendDown ? tx("down") : null },
        { name: "cloudpay", label: tx("cloud"), configured: true, reachable: true, message: null },
      ],
      scanner,
      clock_warning: skew ? tx("skew") : null,
      live_count: live.length,
      unknown_count: live.filter((r) => r.state === "unknown").length,
      qr_options: [
        { choice: "wechat_qr", label: tx("qr.wechat"), key: "F1", available: true },
        { choice: "alipay_qr", label: tx("qr.alipay"), key: "F2", available: true },
        { choice: "cloud_wechat_qr", label: tx("qr.cloudWechat"), key: "F3", available: true },
        { choice: "cloud_alipay_qr", label: tx("qr.cloudAlipay"), key: "F4", available: !backendDown },
      ],
      max_amount_text: yuan(10_000_000),
      // The real rules, as a core test writes them for the UI's tests.
      scan_rules: scanRules.plain as ScanRule[],
      version: "0.0.0-dev",
    };
  }

  function view(r: Rec): AttemptView {
    const now = Date.now();
    const tone: AttemptView["tone"] = (
      {
        sending: "progress",
        pending: "progress",
        issuing: "progress",
        shown: "waiting",
        paid: "paid",
        partly_paid: "partly",
        failed: "failed",
        cancelled: "neutral",
        expired: "neutral",
        abandoned: "neutral",
        unknown: "unknown",
        refunded: "neutral",
        part_refunded: "neutral",
      } as const
    )[r.state];
    const say: FakeTextKey | null =
      r.state === "pending" ? "say.password" : r.state === "shown" ? "say.scan" : r.state === "sending" ? "say.wait" : null;
    const reason: FakeTextKey | null =
      r.state === "failed" ? "reason.balance" : r.state === "unknown" ? "reason.noAnswer" : r.state === "expired" ? "reason.expired" : null;
    const left = r.fen - r.paidFen;
    const shown = r.state === "shown";
    const url = `https://sandbox.invalid/pay/${r.id}`;
    return {
      late: false,
      id: r.id,
      bill: r.bill,
      order_no: `01${new Date(r.created).toISOString().replace(/\D/g, "").slice(0, 14)}${String(r.id).padStart(4, "0")}`,
      channel: r.channel,
      channel_label: tx(CHANNEL_LABEL[r.channel]),
      wallet: r.wallet,
      amount_fen: r.fen,
      amount_text: yuan(r.fen),
      state: r.state,
      state_label: tx(`state.${r.state}`, { left: yuan(left) }),
      tone,
      say:
        r.state === "abandoned" && r.until !== null
          ? `此二维码在 ${new Date(r.until).toISOString().slice(11, 16)} 前仍可能被支付；若顾客付了款，收银台会提示`
          : say && tx(say),
      reason: reason && tx(reason),
      code_masked: r.code && `${r.code.slice(0, 4)} **** **** ${r.code.slice(-4)}`,
      code_url: shown ? url : null,
      qr_svg: shown ? fakeQrSvg(url) : null,
      elapsed_ms: now - r.created,
      remaining_ms: r.until !== null && (shown || r.state === "pending") ? Math.max(0, r.until - now) : null,
      payable_until: r.state === "abandoned" && r.until !== null ? new Date(r.until).toISOString() : null,
      payable_until_time: r.state === "abandoned" && r.until !== null ? new Date(r.until).toISOString().slice(11, 16) : null,
      remainder_fen: r.state === "partly_paid" ? left : null,
      remainder_text: r.state === "partly_paid" ? yuan(left) : null,
      actions:
        r.state === "shown"
          ? ["cancel"]
          : r.state === "unknown"
            ? ["query_again", "resolve", "next_customer"]
            : r.state === "abandoned"
              ? ["query_again", "next_customer"]
              : r.state === "partly_paid"
                ? ["take_remainder", "next_customer"]
                : LIVE.has(r.state)
                  ? []
                  : ["next_customer"],
      live: LIVE.has(r.state),
      created_at: new Date(r.created).toISOString(),
      created_time: new Date(r.created).toISOString().slice(11, 16),
      updated_at: new Date(r.updated).toISOString(),
    };
  }

  function set(r: Rec, state: Rec["state"], patch: Partial<Rec> = {}) {
    Object.assign(r, patch, { state, updated: Date.now() });
    emit({ kind: "attempt", attempt: view(r) });
    emit({ kind: "status", status: status() });
  }
  const later = (ms: number, f: () => void) => {
    const id = setTimeout(() => {
      timers.delete(id);
      f();
    }, ms);
    timers.add(id);
  };

  // Poll ticks: live attempts re-sent every second, as core does while it follows them.
  const ticker = setInterval(() => {
    for (const r of recs.values()) {
      if (r.state === "shown" && r.until !== null && Date.now() >= r.until) set(r, "expired");
      else if (r.state === "shown" || r.state === "pending") emit({ kind: "attempt", attempt: view(r) });
    }
  }, 1000);

  function checkAmount(raw: string): InputCheck {
    const s = raw.trim();
    const bad = (k: FakeTextKey): InputCheck => ({
      ok: false,
      value: null,
      text: null,
      error: { kind: "input", code: "invalid_amount", message: tx(k, { max: yuan(10_000_000) }), field: "amount" },
      payment_code: false,
    });
    if (s === "") return bad("amount.empty");
    if (!/^\d*\.?\d*$/.test(s) || s === ".") return bad("amount.digits");
    if (/\.\d{3,}$/.test(s)) return bad("amount.decimals");
    const [int = "", dec = ""] = s.split(".");
    if (int.length > 7) return bad("amount.max");
    const fen = Number(int || "0") * 100 + Number(dec.padEnd(2, "0"));
    if (fen === 0) return bad("amount.zero");
    if (fen > 10_000_000) return bad("amount.max");
    return { ok: true, value: String(fen), text: yuan(fen), error: null, payment_code: false };
  }

  function checkBill(raw: string): InputCheck {
    const s = raw.trim().toUpperCase();
    const bad = (k: FakeTextKey): InputCheck => ({
      ok: false,
      value: null,
      text: null,
      error: { kind: "input", code: "invalid_bill", message: tx(k), field: "bill" },
      payment_code: false,
    });
    if (s === "") return bad("bill.empty");
    if (!/^[A-Z0-9-]{1,32}$/.test(s)) return bad("bill.chars");
    return { ok: true, value: s, text: s, error: null, payment_code: paymentCode(s) };
  }

  /** Core's reading of a WeChat, Alipay or UnionPay code (code.rs), for the bill field's scans. */
  function paymentCode(s: string): boolean {
    return /^1[0-5]\d{16}$/.test(s) || /^(2[5-9]|30)\d{14,22}$/.test(s) || /^62\d{17}$/.test(s);
  }

  function begin(bill: string, amount: string): { bill: string; fen: number } {
    if (!operator) fail("not_allowed", "not_logged_in", "login.first");
    const b = checkBill(bill);
    const a = checkAmount(amount);
    if (!b.ok || b.value === null) throw b.error;
    if (!a.ok || a.value === null) throw a.error;
    for (const r of recs.values()) {
      if (r.bill !== b.value) continue;
      if (r.state === "paid") fail("not_allowed", "bill_paid", "bill.paid", "bill");
      if (LIVE.has(r.state)) fail("not_allowed", "bill_busy", r.state === "unknown" ? "bill.unknown" : "bill.live", "bill");
    }
    return { bill: b.value, fen: Number(a.value) };
  }

  function startBarcode(bill: string, amount: string, code: string): AttemptView {
    const b = begin(bill, amount);
    const digits = code.replace(/[\r\n\t ]/g, "");
    if (!/^\d{16,24}$/.test(digits)) fail("input", "invalid_code", "code.bad", "code");
    const prefix = Number(digits.slice(0, 2));
    const wallet = prefix >= 10 && prefix <= 15 ? "wechat" : prefix >= 25 && prefix <= 30 ? "alipay" : null;
    if (!wallet) fail("input", "invalid_code", "code.unknown", "code");
    const last = digits.slice(-1);
    const scenario = ({ "1": "password", "2": "failed", "3": "unknown", "4": "partly" } as const)[last] ?? "paid";
    const now = Date.now();
    const r: Rec = {
      id: nextId++,
      ...b,
      channel: wallet === "wechat" ? "pos-wechat-barcode" : "cloud-barcode",
      wallet,
      state: "sending",
      scenario,
      code: digits,
      created: now,
      updated: now,
      until: null,
      queried: 0,
      paidFen: 0,
    };
    recs.set(r.id, r);
    emit({ kind: "status", status: status() });
    if (scenario === "password") {
      later(900, () => set(r, "pending", { until: Date.now() + 60_000 }));
      later(9000, () => set(r, "paid", { paidFen: r.fen }));
    } else if (scenario === "failed") later(1500, () => set(r, "failed"));
    else if (scenario === "unknown") later(2500, () => set(r, "unknown"));
    else if (scenario === "partly") later(1200, () => set(r, "partly_paid", { paidFen: Math.floor(r.fen / 2) }));
    else later(1200, () => set(r, "paid", { paidFen: r.fen }));
    return view(r);
  }

  function startQr(bill: string, amount: string, choice: QrChoice): AttemptView {
    const b = begin(bill, amount);
    const [ch, wallet] = QR_CHANNEL[choice];
    const now = Date.now();
    const r: Rec = {
      id: nextId++,
      ...b,
      channel: ch,
      wallet,
      state: "issuing",
      scenario: "qr",
      code: null,
      created: now,
      updated: now,
      until: null,
      queried: 0,
      paidFen: 0,
    };
    recs.set(r.id, r);
    later(600, () => set(r, "shown", { until: Date.now() + QR_MS }));
    later(60_000, () => {
      if (r.state === "shown") set(r, "paid", { paidFen: r.fen });
    });
    return view(r);
  }

  function find(id: number): Rec {
    const r = recs.get(id);
    if (!r) return fail("not_found", "attempt_not_found", "attempt.none");
    return r;
  }

  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    status: () => status(),
    login: (a) => {
      if (a.operator !== "cashier") fail("rejected", "rejected", "login.operator", "operator");
      if (a.password !== "123456") fail("rejected", "rejected", "login.password", "password");
      operator = "cashier";
      return status();
    },
    set_lang: (a) => {
      lang = a.lang === "en" ? "en" : "zh-CN";
      settings = { ...settings, lang };
      for (const r of recs.values()) emit({ kind: "attempt", attempt: view(r) });
      return status();
    },
    check_bill: (a) => checkBill(str(a.raw)),
    check_amount: (a) => checkAmount(str(a.raw)),
    start_barcode: (a) => startBarcode(String(a.bill), String(a.amount), String(a.code)),
    start_scanned: (a) => {
      const code = pendingScans.get(Number(a.scan_id));
      if (code === undefined) return fail("not_found", "not_found", "scan.gone", "code");
      return startBarcode(String(a.bill), String(a.amount), code);
    },
    start_qr: (a) => startQr(String(a.bill), String(a.amount), a.choice as QrChoice),
    cancel: (a) => {
      const r = find(Number(a.id));
      if (r.state === "shown" || r.state === "issuing") {
        if (r.channel === "wechat-qr" || r.channel === "alipay-qr") set(r, "abandoned", { until: Date.now() + 10 * 60_000 });
        else set(r, "cancelled");
      }
      return view(r);
    },
    query_again: (a) => {
      const r = find(Number(a.id));
      if (r.state === "unknown") {
        r.queried += 1;
        set(r, "sending");
        later(1200, () => set(r, "paid", { paidFen: r.fen }));
      }
      return view(r);
    },
    resolve: (a) => {
      const r = find(Number(a.id));
      if (str(a.manager).trim() === "") fail("input", "missing_input", "manager.empty", "manager");
      set(r, a.to === "paid" ? "paid" : "failed", { paidFen: a.to === "paid" ? r.fen : 0 });
      return view(r);
    },
    refund: (a) => view(find(Number(a.id))),
    attempt: (a) => view(find(Number(a.id))),
    attempts: (a) => {
      const f = a.filter as { live_only?: boolean } | undefined;
      return [...recs.values()].filter((r) => !f?.live_only || LIVE.has(r.state)).map(view).reverse();
    },
    day_report: () => ({ day: new Date().toISOString().slice(0, 10), collected_text: yuan(0), collected_fen: 0, count: 0, rows: [], attempts: [] }),
    serial_ports: () => ["/dev/ttyS0", "/dev/ttyUSB0", "/dev/ttyACM0"],
    settings: () => settings,
    save_settings: (a) => {
      const s = a.settings as SettingsInput;
      if (s.till.trim() === "") fail("input", "missing_input", "settings.till", "settings");
      const { cloudpay_key, ...rest } = s;
      settings = { ...settings, ...rest, cloudpay_key_set: settings.cloudpay_key_set || (cloudpay_key ?? "") !== "" };
      lang = settings.lang;
      scanner = settings.scanner_port ? { state: "connected", port: settings.scanner_port, message: null } : { state: "off", port: null, message: null };
      emit({ kind: "status", status: status() });
      return settings;
    },
  };
  const controls: FakeControls = {
    pay(id) {
      const r = id === undefined ? [...recs.values()].reverse().find((x) => x.state === "shown" || x.state === "abandoned") : recs.get(id);
      if (r) set(r, "paid", { paidFen: r.fen });
    },
    serialScan(code) {
      const scan_id = nextScan++;
      if (code) pendingScans.set(scan_id, code);
      emit({
        kind: "scan",
        scan: {
          scan_id,
          code_masked: code && `${code.slice(0, 4)} **** **** ${code.slice(-4)}`,
          wallet_label: code ? tx("qr.wechat") : null,
          error: code ? null : tx("scan.garbled"),
        },
      });
    },
    scanner(state) {
      scanner = { state, port: state === "off" ? null : "/dev/ttyUSB0", message: state === "disconnected" ? tx("scanner.unplugged") : null };
      emit({ kind: "scanner", scanner });
      emit({ kind: "status", status: status() });
    },
    backendDown(down) {
      backendDown = down;
      emit({ kind: "status", status: status() });
    },
    clockSkew(on) {
      skew = on;
      emit({ kind: "status", status: status() });
    },
  };
  if (typeof window !== "undefined") window.__cashierFake = controls;

  return {
    close() {
      clearInterval(ticker);
      for (const id of timers) clearTimeout(id);
      channel?.close();
      listeners.clear();
    },
    invoke(cmd, args) {
      const f = commands[cmd];
      // A short delay keeps the UI honest about commands being asynchronous.
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          try {
            if (!f) fail("internal", "internal", "unknown.command", null, { cmd });
            else resolve(f(args));
          } catch (e) {
            reject(e instanceof Error ? { kind: "internal", code: "internal", message: e.message, field: null } : e);
          }
        }, 15),
      );
    },
    listen(handler) {
      listeners.add(handler);
      return Promise.resolve(() => listeners.delete(handler));
    },
  };
}
