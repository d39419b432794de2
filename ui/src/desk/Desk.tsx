// The manager's desk (F12, or the status bar): opened under a PIN, closed with Esc or by core after a while
// left alone. Five tabs, and the store's day (F6) when the till ships to a store; a red banner when the journal's chains do not verify.
import type { JSX } from "preact";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { run } from "../api";
import type { DeskView, ErrorBody, Integrity } from "../bindings";
import { useT, type MsgKey } from "../i18n";
import type { Store } from "../store";
import { Icon, KeyButton } from "../ui/bits";
import { Audit } from "./Audit";
import { DeskContext, type DeskApi } from "./context";
import { DayClose } from "./DayClose";
import { Managers } from "./Managers";
import { PinPad, useApproval } from "./PinPad";
import { Receipts } from "./Receipts";
import { StoreDay } from "./StoreDay";
import { Worklist } from "./Worklist";
import "./desk.css";

const TABS = [
  ["receipts", "desk.tab.receipts", "F1"],
  ["worklist", "desk.tab.worklist", "F2"],
  ["close", "desk.tab.close", "F3"],
  ["audit", "desk.tab.audit", "F4"],
  ["managers", "desk.tab.managers", "F5"],
  ["store", "desk.tab.store", "F6"],
] as const satisfies readonly (readonly [string, MsgKey, string])[];

export type Tab = (typeof TABS)[number][0];

export function Desk({ store }: { store: Store }): JSX.Element {
  const t = useT();
  const [opened, setOpened] = useState<DeskView | null>(null);
  const [closedWhy, setClosedWhy] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>("receipts");
  const [integrity, setIntegrity] = useState<Integrity | null>(null);
  const { pad, ask } = useApproval();
  // The store's tab only for a till that ships to one (core's status has its link).
  const hasStore = Boolean(store.state.status?.store);
  const tabs = TABS.filter(([id]) => id !== "store" || hasStore);
  const words = useRef(t);
  words.current = t;

  // Leaving the desk closes it in core too (the next manager opens it under their own PIN).
  useEffect(() => () => void run({ close_desk: {} }).catch(() => undefined), []);

  // Checked each time the desk opens: a journal edited outside the app is said at once.
  useEffect(() => {
    if (!opened) return;
    run({ verify: {} })
      .then(setIntegrity)
      .catch(() => setIntegrity(null));
  }, [opened]);

  // Left alone as long as core keeps it open, the desk closes on screen too: a manager who walked away
  // does not leave the day's receipts showing (core's own timer refuses the next read anyway).
  useEffect(() => {
    if (!opened) return;
    let last = performance.now();
    const used = () => (last = performance.now());
    const check = setInterval(() => {
      if (performance.now() - last < opened.idle_close_s * 1000) return;
      setOpened(null);
      setClosedWhy(words.current("desk.timedOut"));
      void run({ close_desk: {} }).catch(() => undefined);
    }, 5000);
    window.addEventListener("keydown", used, true);
    window.addEventListener("pointerdown", used, true);
    window.addEventListener("wheel", used, true);
    return () => {
      clearInterval(check);
      window.removeEventListener("keydown", used, true);
      window.removeEventListener("pointerdown", used, true);
      window.removeEventListener("wheel", used, true);
    };
  }, [opened]);

  // F1–F5 (F6: the store) pick a tab while the desk is open (the checkout's keys do nothing under it); attached before
  // the desk is first painted, so a key pressed the moment it shows is not lost.
  useLayoutEffect(() => {
    if (!opened) return;
    const onKey = (e: KeyboardEvent) => {
      const hit = TABS.find(([id, , k]) => k === e.key && (id !== "store" || hasStore));
      if (!hit) return;
      e.preventDefault();
      setTab(hit[0]);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [opened, hasStore]);

  const readFailed = useCallback((e: unknown) => {
    const err = e as ErrorBody;
    // A read refused by the desk itself: it closed (left alone); open it again under a PIN.
    if (err.code === "desk_refused") {
      setOpened(null);
      setClosedWhy(err.message);
    }
    return err.message;
  }, []);
  const api = useMemo<DeskApi>(() => ({ ask, readFailed }), [ask, readFailed]);

  if (!opened) {
    return (
      <div class="desk desk-closed" data-testid="desk-closed">
        <PinPad
          title={t("desk.openTitle")}
          explain={closedWhy ?? t("desk.openExplain")}
          act={async (approval) => {
            setOpened(await run({ open_desk: { approval } }));
            setClosedWhy(null);
          }}
          onDone={() => undefined}
          onCancel={() => store.open(null)}
        />
      </div>
    );
  }

  const broken = integrity?.first_break;
  return (
    <DeskContext.Provider value={api}>
      <div class="desk" data-testid="desk">
        <div class="desk-head">
          <h1>{t("desk.title")}</h1>
          <nav class="desk-tabs" role="tablist">
            {tabs.map(([id, key, k]) => (
              <button
                type="button"
                role="tab"
                key={id}
                aria-selected={tab === id}
                class={`desk-tab ${tab === id ? "desk-tab-on" : ""}`}
                data-testid={`desk-tab-${id}`}
                onClick={() => setTab(id)}
              >
                {t(key)} <kbd>{k}</kbd>
              </button>
            ))}
          </nav>
          <span class="desk-who" data-testid="desk-manager">
            {t("desk.openedBy", { name: opened.manager })}
          </span>
          <KeyButton testid="desk-close" label={t("desk.close")} keyName="Esc" onClick={() => store.open(null)} />
        </div>
        {broken && (
          <div class="desk-broken" role="alert" data-testid="desk-broken">
            <Icon name="warn" size={28} />
            <span>
              <b>{t("desk.broken")}</b> {integrity.said}
            </span>
          </div>
        )}
        <section class="desk-body">
          {tab === "receipts" && <Receipts />}
          {tab === "worklist" && <Worklist />}
          {tab === "close" && <DayClose />}
          {tab === "audit" && <Audit />}
          {tab === "managers" && <Managers />}
          {tab === "store" && <StoreDay />}
        </section>
        {pad}
      </div>
    </DeskContext.Provider>
  );
}
