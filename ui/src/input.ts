// The cashier's hands: keys (Enter, Esc, F1–F12, digits) and scans (keyboard wedge and serial scanner),
// each read against the store at the moment it happens, never against a stale render.
import { useEffect } from "preact/hooks";
import type { AttemptView, ScanMeaning, ScanView } from "./bindings";
import type { Translate } from "./i18n";
import { focusAmount } from "./screens/Checkout";
import { primaryOf } from "./screens/Outcome";
import { unlockSound } from "./sound";
import { screenOf } from "./screen";
import type { Store } from "./store";
import { classifier } from "./scanRules";
import type { WedgeConfig } from "./wedge";
import { attachWedge } from "./wedgeDom";

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

/** Wedge scans anywhere in the window, and serial scans from core, routed by the screen on show. */
export function useScans(store: Store, t: Translate): void {
  useEffect(() => {
    const scan = async (code: string, means: ScanMeaning) => {
      const sc = screenOf(store, store.state);
      if (sc === "checkout") {
        if (means === "bill_number") {
          void store.typeBill(code);
          store.scanLine({ kind: "read", text: t("scan.billRead") });
          focusAmount();
          return;
        }
        store.scanLine({ kind: "read", text: t("scan.read") });
        await store.checked();
        if (store.ready()) void store.payWithCode(code);
        else store.scanLine({ kind: "error", text: t("scan.fillFirst") });
        return;
      }
      if (sc === "outcome") {
        const cur = store.current();
        if (!cur) return;
        const p = primaryOf(cur.view);
        if (p === "next" && means === "bill_number") {
          // The next customer's bill ticket.
          store.nextCustomer(code);
          store.scanLine({ kind: "read", text: t("scan.billRead") });
          return;
        }
        if (p === "again" && means === "payment_code") {
          // The customer shows another code for the same bill.
          store.tryAgain();
          void store.payWithCode(code);
          return;
        }
      }
      store.scanLine({ kind: "error", text: t("scan.notNow") });
    };
    const off = attachWedge(
      window,
      {
        scan: (code, means) => void scan(code, means),
        progress: () => store.scanLine({ kind: "reading", text: "" }),
        idle: () => {
          if (store.state.scanLine?.kind === "reading") store.scanLine(null);
        },
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
          } else if (sc === "outcome" && (text === "p" || text === "P") && cur?.view.tone === "paid") {
            // P: the slip as it would print (the button "小票预览 P"); a scanned ticket never gets here.
            store.showSlip(cur.view.id);
          }
        },
      },
      {
        classify: classifier(() => store.state.status?.scan_rules ?? []),
        // Scans belong to the cashier's screens: never the login (a password manager types fast), and
        // never under an overlay (settings, the live list, a manager's decision).
        active: () => {
          const s = store.state;
          return s.status?.logged_in === true && s.overlay === null && !s.closeAsked;
        },
        config: wedgeConfig(),
      },
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

}

/** The keys of CASHIER-UX.md: one primary action per screen on Enter, F-keys, Esc. */
export function useKeys(store: Store): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      unlockSound();
      const s = store.state;
      const sc = screenOf(store, s);
      const cur = store.current();
      const fn = /^F([1-9]|1[0-2])$/.exec(e.key);
      if (fn) e.preventDefault(); // no browser help, reload or devtools at the till
      if (e.defaultPrevented && !fn) return;
      if (s.closeAsked) {
        // The close question takes every key until answered: Esc keeps the till open.
        if (e.key === "Escape") store.keepOpen();
        return;
      }
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
          // The Unknown on screen is decided where it is; otherwise F12 opens (or closes) the desk.
          if (sc !== "desk" && cur?.view.actions.includes("resolve") && (sc === "outcome" || sc === "manager")) store.open("manager");
          else if (s.status?.logged_in) store.open(s.overlay === "desk" ? null : "desk");
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
}
