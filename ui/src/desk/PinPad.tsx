// A manager approves: chosen from the list (two people may share a PIN), then the PIN typed on the keyboard
// or on the pad. Core checks it; its words for a wrong PIN or a lock are shown as given.
import type { JSX } from "preact";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { run } from "../api";
import type { Approval, ErrorBody, ManagerView } from "../bindings";
import { useT } from "../i18n";
import { FieldError, Icon, KeyButton } from "../ui/bits";
import "./desk.css";

/** Refusals that belong to the pad (the PIN, the manager chosen); any other goes back to the form. */
export function isPinRefusal(e: ErrorBody): boolean {
  return e.code === "pin_wrong" || e.code === "manager_locked" || e.field === "pin" || e.field === "manager";
}

type PinPadProps = {
  title: string;
  /** What is approved, in words (the bill and amount of a refund, the day of a Z). */
  explain?: string | undefined;
  /** Runs the action with the approval; rejects with core's ErrorBody. */
  act: (approval: Approval) => Promise<void>;
  onDone: () => void;
  onCancel: () => void;
  /** A refusal that is not about the PIN (the amount of a refund, a day already closed) goes back to the
   * form; without this every refusal is shown on the pad. */
  onRefused?: ((e: ErrorBody) => void) | undefined;
};

const DIGITS = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

export function PinPad(p: PinPadProps): JSX.Element {
  const t = useT();
  const [managers, setManagers] = useState<ManagerView[] | null>(null);
  const [chosen, setChosen] = useState<number | null>(null);
  const [pin, setPin] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The window's key handler reads these at the moment of the key, never a stale render.
  const live = useRef({ pin, chosen, busy });
  live.current = { pin, chosen, busy };

  const load = useCallback(async () => {
    try {
      const list = await run({ managers: {} });
      setManagers(list);
      // One manager who can approve: chosen already.
      const usable = list.filter((m) => m.active && m.locked_until_time === null);
      setChosen((c) => c ?? (usable.length === 1 && usable[0] ? usable[0].id : null));
    } catch (e) {
      setError((e as ErrorBody).message);
    }
  }, []);
  useEffect(() => void load(), [load]);

  const confirm = useCallback(async () => {
    const { pin: typed, chosen: manager, busy: running } = live.current;
    if (running || manager === null || typed === "") return;
    setBusy(true);
    setError(null);
    try {
      await p.act({ manager, pin: typed });
      p.onDone();
    } catch (e) {
      const err = e as ErrorBody;
      if (isPinRefusal(err) || !p.onRefused) {
        setError(err.message);
        setPin("");
        if (err.code === "manager_locked") void load();
      } else p.onRefused(err);
    } finally {
      setBusy(false);
    }
  }, [p, load]);

  // Attached once, before the pad is first painted, so no key typed the moment it shows is lost; it reads
  // the latest props and state through refs.
  const props = useRef(p);
  props.current = p;
  const confirmRef = useRef(confirm);
  confirmRef.current = confirm;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const inList = e.target instanceof HTMLButtonElement && e.target.closest(".pin-managers") !== null;
      if (/^[0-9]$/.test(e.key)) setPin((s) => s + e.key);
      else if (e.key === "Backspace") setPin((s) => s.slice(0, -1));
      else if (e.key === "Escape") props.current.onCancel();
      // Enter on a manager's button chooses them until a PIN is typed; then it confirms.
      else if (e.key === "Enter" && (!inList || live.current.pin !== "")) void confirmRef.current();
      else return;
      // The pad takes these keys: not the desk behind it, not the checkout's amount.
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);

  const press = (d: string) => setPin((s) => s + d);
  return (
    <div class="modal-backdrop">
      <div class="modal pin-pad" role="dialog" aria-labelledby="pin-title" data-testid="pin-pad">
        <h1 id="pin-title">{p.title}</h1>
        {p.explain && <p class="explain">{p.explain}</p>}
        <div class="pin-body">
          <div class="pin-left">
            <p class="field-label">{t("pin.choose")}</p>
            <div class="pin-managers" role="listbox" aria-label={t("pin.choose")}>
              {managers?.map((m) => {
                const locked = m.locked_until_time !== null;
                const usable = m.active && !locked;
                return (
                  <button
                    type="button"
                    key={m.id}
                    role="option"
                    aria-selected={chosen === m.id}
                    class={`pin-manager ${chosen === m.id ? "pin-chosen" : ""} ${usable ? "" : "pin-unusable"}`}
                    data-testid={`pin-manager-${m.id}`}
                    disabled={!usable}
                    onClick={() => {
                      setChosen(m.id);
                      setError(null);
                    }}
                  >
                    <span class="pin-name">
                      {chosen === m.id && <Icon name="check" size={20} />} {m.name}
                    </span>
                    {!m.active && <small>{t("pin.disabled")}</small>}
                    {m.active && locked && (
                      <small data-testid={`pin-locked-${m.id}`}>
                        <Icon name="clock" size={16} /> {t("pin.lockedUntil", { time: m.locked_until_time ?? "" })}
                      </small>
                    )}
                  </button>
                );
              })}
            </div>
          </div>
          <div class="pin-right">
            <div class="pin-dots" data-testid="pin-dots" aria-label={t("pin.typed", { n: pin.length })}>
              {pin === "" ? <span class="pin-empty">{t("pin.enter")}</span> : "●".repeat(pin.length)}
            </div>
            {error && <FieldError testid="pin-error">{error}</FieldError>}
            <div class="pin-keys">
              {DIGITS.map((d) => (
                <button type="button" key={d} class="btn pin-key" data-testid={`pin-key-${d}`} onClick={() => press(d)}>
                  {d}
                </button>
              ))}
              <button type="button" class="btn pin-key" data-testid="pin-back" aria-label={t("pin.back")} onClick={() => setPin((s) => s.slice(0, -1))}>
                ⌫
              </button>
              <button type="button" class="btn pin-key" data-testid="pin-key-0" onClick={() => press("0")}>
                0
              </button>
              <button type="button" class="btn pin-key" data-testid="pin-clear" onClick={() => setPin("")}>
                {t("pin.clear")}
              </button>
            </div>
          </div>
        </div>
        <div class="actions">
          <KeyButton
            testid="pin-ok"
            kind="primary"
            big
            label={busy ? t("pin.checking") : t("pin.ok")}
            keyName="Enter"
            disabled={busy || chosen === null || pin === ""}
            onClick={() => void confirm()}
          />
          <KeyButton testid="pin-cancel" label={t("pin.cancel")} keyName="Esc" onClick={p.onCancel} />
        </div>
      </div>
    </div>
  );
}

type Ask = { title: string; explain?: string | undefined; act: (a: Approval) => Promise<void>; done: (e: ErrorBody | null | false) => void };

/** A PIN pad on demand: `ask(title, act)` shows it and resolves to null when the action was done, to
 * core's refusal when it was refused for another reason than the PIN, or to false when cancelled. */
export function useApproval(): { pad: JSX.Element | null; ask: (title: string, act: (a: Approval) => Promise<void>, explain?: string) => Promise<ErrorBody | null | false> } {
  const [asking, setAsking] = useState<Ask | null>(null);
  const ask = useCallback(
    (title: string, act: (a: Approval) => Promise<void>, explain?: string) =>
      new Promise<ErrorBody | null | false>((resolve) => {
        setAsking({ title, explain, act, done: resolve });
      }),
    [],
  );
  const end = (a: Ask, e: ErrorBody | null | false) => {
    setAsking(null);
    a.done(e);
  };
  const pad = asking ? (
    <PinPad
      title={asking.title}
      explain={asking.explain}
      act={asking.act}
      onDone={() => end(asking, null)}
      onCancel={() => end(asking, false)}
      onRefused={(e) => end(asking, e)}
    />
  ) : null;
  return { pad, ask };
}
