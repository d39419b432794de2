import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import type { AttemptView, ScanView } from "./bindings";
import { LangContext, translator } from "./i18n";
import { Checkout, focusAmount, ScanLineView } from "./screens/Checkout";
import { LiveList } from "./screens/LiveList";
import { Login } from "./screens/Login";
import { Manager } from "./screens/Manager";
import { Outcome, primaryOf } from "./screens/Outcome";
import { Progress } from "./screens/Progress";
import { QrScreen } from "./screens/QrScreen";
import { Settings } from "./screens/Settings";
import { playPaid, unlockSound } from "./sound";
import { Store, type State } from "./store";
import { Icon } from "./ui/bits";
import { SandboxBanner, StatusBar } from "./ui/StatusBar";
import type { WedgeConfig } from "./wedge";
import { attachWedge } from "./wedgeDom";

const PROGRESS = new Set(["sending", "pending"]);
const QR = new Set(["issuing", "shown"]);

export type Screen = "loading" | "login" | "checkout" | "progress" | "qr" | "outcome" | "settings" | "live" | "manager";

export function screenOf(store: Store, s: State): Screen {
  if (!s.status) return "loading";
  if (!s.status.logged_in) return "login";
  const cur = store.current();
  if (s.overlay === "manager" && cur?.view.actions.includes("resolve")) return "manager";
  if (s.overlay === "settings") return "settings";
  if (s.overlay === "live") return "live";
  if (!cur) return "checkout";
  if (PROGRESS.has(cur.view.state)) return "progress";
  if (QR.has(cur.view.state)) return "qr";
  return "outcome";
}

function isEditable(el: EventTarget | null): boolean {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/** Wedge thresholds can be tuned per till without a rebuild (a slow scanner): localStorage
 * `cashier.wedge` = {"maxGapMs": 60, ...}. */
function wedgeConfig(): Partial<WedgeConfig> {
  try {
    const raw = localStorage.getItem("cashier.wedge");
    return raw ? (JSON.parse(raw) as Partial<WedgeConfig>) : {};
  } catch {
    return {};
  }
}

function primaryAction(store: Store, a: AttemptView): void {
  switch (primaryOf(a)) {
    case "query":
      void store.queryAgain(a.id);
      return;
    case "remainder":
      store.takeRemainder();
      return;
    case "again":
      store.tryAgain();
      return;
    case "next":
      store.nextCustomer();
      return;
  }
}

export function App({ store }: { store: Store }): JSX.Element {
  const [state, setState] = useState<State>(store.state);
  useEffect(() => {
    const off = store.subscribe(setState);
    void store.start(() => playPaid());
    return off;
  }, [store]);

  const screen = screenOf(store, state);
  const lang = state.status?.lang ?? "zh-CN";
  const t = useMemo(() => translator(lang), [lang]);
  useEffect(() => {
    // Lets the browser pick Simplified Chinese glyphs (and English hyphenation) for the language on show.
    document.documentElement.lang = lang;
  }, [lang]);

  // Scans and keys: read the store at event time (not this render's copy) so nothing acts on stale state.
  useEffect(() => {
    const scan = async (code: string, masked: string) => {
      const s = store.state;
      const sc = screenOf(store, s);
      if (sc === "checkout") {
        const active = document.activeElement;
        if (active instanceof HTMLInputElement && active.dataset.testid === "bill-input") {
          void store.typeBill(code);
          store.scanLine({ kind: "read", text: t("scan.billRead") });
          focusAmount();
          return;
        }
        store.scanLine({ kind: "read", text: masked });
        await store.checked();
        if (store.ready()) void store.payWithCode(code, masked);
        else store.scanLine({ kind: "error", text: t("scan.fillFirst") });
        return;
      }
      if (sc === "outcome") {
        const cur = store.current();
        if (!cur) return;
        const p = primaryOf(cur.view);
        if (p === "next") {
          // The next customer's bill ticket.
          store.nextCustomer(code);
          store.scanLine({ kind: "read", text: t("scan.billRead") });
          return;
        }
        if (p === "again") {
          // The customer shows another code for the same bill.
          store.tryAgain();
          void store.payWithCode(code, masked);
          return;
        }
      }
      store.scanLine({ kind: "error", text: t("scan.notNow") });
    };
    const off = attachWedge(
      window,
      {
        scan: (code, masked) => void scan(code, masked),
        progress: (masked) => store.scanLine({ kind: "reading", text: masked }),
        error: () => store.scanLine({ kind: "error", text: t("scan.incomplete") }),
        typed: (text) => {
          const sc = screenOf(store, store.state);
          const cur = store.current();
          const digits = /^[0-9.]+$/.test(text);
          if (sc === "checkout" && digits) {
            void store.typeAmount(store.state.amount.raw + text);
            focusAmount();
          } else if (sc === "outcome" && digits && cur && primaryOf(cur.view) === "next") {
            store.nextCustomer("", text);
            setTimeout(focusAmount, 0);
          }
        },
      },
      wedgeConfig(),
    );
    store.serialHandler = async (scanView: ScanView) => {
      await store.checked();
      const sc = screenOf(store, store.state);
      if (sc === "checkout" && store.ready()) void store.payWithSerial(scanView.scan_id);
      else if (sc === "outcome" && store.current() && primaryOf((store.current() as { view: AttemptView }).view) === "again") {
        store.tryAgain();
        void store.payWithSerial(scanView.scan_id);
      } else if (sc === "checkout") store.scanLine({ kind: "error", text: t("scan.fillFirst") });
      else store.scanLine({ kind: "error", text: t("scan.notNow") });
    };
    return () => {
      off();
      store.serialHandler = null;
    };
  }, [store, t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      unlockSound();
      const s = store.state;
      const sc = screenOf(store, s);
      const cur = store.current();
      const fn = /^F([1-9]|1[0-2])$/.exec(e.key);
      if (fn) e.preventDefault(); // no browser help, reload or devtools at the till
      if (e.defaultPrevented && !fn) return;
      switch (e.key) {
        case "F1":
        case "F2":
        case "F3":
        case "F4": {
          const o = s.status?.qr_options.find((q) => q.key === e.key);
          if (sc !== "checkout" || !o?.available || s.busy) return;
          void store.checked().then(() => {
            if (store.ready() && screenOf(store, store.state) === "checkout") void store.payWithQr(o.choice);
          });
          return;
        }
        case "F5":
          if (cur?.view.actions.includes("query_again") && (sc === "outcome" || sc === "progress")) void store.queryAgain(cur.view.id);
          return;
        case "F10":
          if (s.status?.logged_in) store.open(s.overlay === "settings" ? null : "settings");
          return;
        case "F12":
          if (cur?.view.actions.includes("resolve")) store.open("manager");
          return;
        case "Escape":
          if (s.overlay) store.open(null);
          else if ((sc === "qr" || sc === "progress") && cur?.view.actions.includes("cancel")) void store.cancel();
          else if (sc === "outcome" && cur && primaryOf(cur.view) === "again") store.tryAgain();
          else if (sc === "checkout") store.scanLine(null);
          return;
        case "Enter":
          if (isEditable(e.target) || e.target instanceof HTMLButtonElement) return;
          if (sc === "outcome" && cur) {
            e.preventDefault();
            primaryAction(store, cur.view);
          } else if (sc === "checkout") {
            void store.checked().then(() => {
              if (store.ready()) store.arm(true);
              else focusAmount();
            });
          }
          return;
      }
    };
    const onPointer = () => unlockSound();
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [store]);

  const status = state.status;
  const cur = store.current();
  let body: JSX.Element;
  switch (screen) {
    case "loading":
      body = state.fatal ? (
        <div class="fatal" role="alert" data-testid="fatal">
          <Icon name="warn" size={48} />
          <h1>{t("app.unreachable")}</h1>
          <p>{state.fatal.message}</p>
          <p>{t("app.retrying")}</p>
        </div>
      ) : (
        <div class="loading">{t("app.loading")}</div>
      );
      break;
    case "login":
      body = status ? <Login store={store} status={status} /> : <div />;
      break;
    case "settings":
      body = <Settings store={store} />;
      break;
    case "live":
      body = <LiveList store={store} state={state} />;
      break;
    case "manager":
      body = cur ? <Manager store={store} a={cur.view} /> : <div />;
      break;
    case "checkout":
      body = status ? <Checkout store={store} state={state} status={status} /> : <div />;
      break;
    case "progress":
      body = cur ? <Progress store={store} seen={cur} /> : <div />;
      break;
    case "qr":
      body = cur ? <QrScreen store={store} seen={cur} /> : <div />;
      break;
    case "outcome":
      body = cur ? <Outcome store={store} a={cur.view} /> : <div />;
      break;
  }

  const bg = state.background;
  return (
    <LangContext.Provider value={lang}>
      <div class={`app screen-${screen}`} data-screen={screen}>
        {status?.sandbox && <SandboxBanner />}
        {bg && (
          <button type="button" class="background-paid" data-testid="background-paid" onClick={() => store.dismissBackground()}>
            <Icon name="check" size={22} /> {t("app.backgroundPaid", { bill: bg.bill, amount: bg.amount_text })}
          </button>
        )}
        <main class="main">
          {body}
          {state.scanLine && screen !== "checkout" && <ScanLineView line={state.scanLine} floating />}
        </main>
        {status && <StatusBar store={store} status={status} />}
      </div>
    </LangContext.Provider>
  );
}
