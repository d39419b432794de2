// Wires the pure WedgeDetector to a window: listens in the capture phase (before any field or shortcut
// sees a key), swallows the burst's keys, takes back what reached a field, and hands back a person's keys.
import type { ScanMeaning } from "./bindings";
import { type Classify, WedgeDetector, type WedgeConfig, type WedgeOutput, type WedgeTarget } from "./wedge";

export type WedgeHandlers = {
  scan(code: string, means: ScanMeaning): void;
  /** A burst of `length` characters is being read. */
  progress(length: number): void;
  /** What looked like a scan was typing after all. */
  idle(): void;
  error(reason: "incomplete" | "garbled"): void;
  /** A person's keys held back while no text field had the focus. */
  typed(text: string): void;
};

export type WedgeOptions = {
  classify: Classify;
  /** Whether scans are taken now (not on the login screen, not under an overlay): when not, every
   * key goes where it is typed, untouched. */
  active(): boolean;
  config?: Partial<WedgeConfig>;
};

type TextField = HTMLInputElement | HTMLTextAreaElement;
type Snapshot = { el: TextField; value: string; start: number | null; end: number | null };

const TEXT_TYPES = new Set(["text", "password", "search", "tel", "email", "url", "number", ""]);

function textField(el: Element | null): TextField | null {
  if (el instanceof HTMLTextAreaElement) return el;
  if (el instanceof HTMLInputElement && TEXT_TYPES.has(el.type)) return el;
  return null;
}

/** Which scan field an element is (`data-scan="bill"` / `"amount"`); null for any other field. */
function scanField(el: TextField): WedgeTarget | null {
  const v = el.dataset.scan;
  return v === "bill" || v === "amount" ? v : null;
}

/** Tell a framework's controlled input that its value changed under it. */
function announce(el: TextField): void {
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

function selection(el: TextField): [number | null, number | null] {
  try {
    return [el.selectionStart, el.selectionEnd];
  } catch {
    return [null, null]; // type=number has no selection
  }
}

export function attachWedge(win: Window, handlers: WedgeHandlers, opts: WedgeOptions): () => void {
  const detector = new WedgeDetector(opts.classify, opts.config);
  const doc = win.document;
  let snapshot: Snapshot | null = null;
  /** After a take-back, a while in which the field is held at its old value: an IME commits its
   * composition (the whole code) just after the Enter that ended the scan, i.e. after we restored. */
  let guard: { el: TextField; value: string; until: number } | null = null;
  const GUARD_MS = 300;
  let timer: ReturnType<typeof setTimeout> | null = null;
  // Two clocks. Key gaps are measured on the events' own timestamps (when the key happened: in WebKitGTK
  // the X server's time), but a browser may hand the page each key only after the page has dealt with the
  // previous one (WebKitGTK waits for every keydown to be acknowledged), so the page runs 100 ms or more
  // behind the keys during a burst. The timer that ends a burst therefore counts from when the last key
  // was *handled*, with slack.
  let lastT = 0;
  const SLACK_MS = 150;
  // A timer this late means the page could not run (a healthy page runs one within a few ms); it then
  // looks again RECHECK_MS later, at most MAX_RECHECKS times in a row (a page that stays that busy still
  // gets its keys handed back, just later).
  const LATE_MS = 50;
  const RECHECK_MS = 20;
  const MAX_RECHECKS = 25;

  const restore = () => {
    const s = snapshot;
    // A field that left the page (the screen changed) has nothing to take back.
    if (!s?.el.isConnected) return;
    const focused = doc.activeElement === s.el;
    // Leaving the field ends any IME composition first, so it cannot put the text back after us.
    if (focused) s.el.blur();
    s.el.value = s.value;
    announce(s.el);
    guard = { el: s.el, value: s.value, until: win.performance.now() + GUARD_MS };
    if (focused) s.el.focus();
    if (s.start !== null && s.end !== null) {
      try {
        s.el.setSelectionRange(s.start, s.end);
      } catch {
        // a field type without a caret
      }
    }
  };

  const insert = (text: string) => {
    // Into the field the keys were typed in, where they would have gone.
    const el = snapshot?.el.isConnected ? snapshot.el : textField(doc.activeElement);
    if (!el) return;
    const [start, end] = selection(el);
    if (start !== null && end !== null) el.setRangeText(text, start, end, "end");
    else el.value += text;
    announce(el);
  };

  const apply = (out: WedgeOutput[]) => {
    for (const o of out) {
      switch (o.kind) {
        case "restore":
          restore();
          break;
        case "typed":
          if (o.target !== "none") insert(o.text);
          else handlers.typed(o.text);
          break;
        case "progress":
          handlers.progress(o.length);
          break;
        case "idle":
          handlers.idle();
          break;
        case "scan":
          handlers.scan(o.code, o.means);
          break;
        case "error":
          handlers.error(o.reason);
          break;
      }
    }
    // The snapshot belongs to one burst: never restore a field to what it held before an older one.
    if (!detector.busy()) snapshot = null;
    schedule();
  };

  const schedule = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const due = detector.deadline();
    if (due === null) return;
    // Every handled event reschedules, so when this fires nothing came for the whole wait: the burst
    // (or the person's keys) ended at `due` on the events' clock. Unless the page was too busy to run
    // anything (a long frame, a pause of the machine): then the timer fires late, and the keys that came
    // meanwhile may still wait in the queue behind it. Measured here: a page busy for 300 ms or more ended
    // a scan one key before its Enter, and the scan was lost. So a late timer looks again a moment later,
    // after the queued keys, and only a timer on time ends the run.
    const wait = Math.max(0, due - lastT) + SLACK_MS;
    let intended = win.performance.now() + wait;
    let rechecks = 0;
    const check = () => {
      const now = win.performance.now();
      if (now - intended > LATE_MS && rechecks < MAX_RECHECKS) {
        rechecks += 1;
        intended = now + RECHECK_MS;
        timer = setTimeout(check, RECHECK_MS);
        return;
      }
      timer = null;
      apply(detector.tick(due + 1));
    };
    timer = setTimeout(check, wait);
  };

  const onKey = (e: KeyboardEvent) => {
    const field = textField(doc.activeElement);
    // Off screen-wide (login, overlays), or a field that takes no scans (a note, a password): never
    // touched, and a run left behind is typing, handed back before this key acts.
    const target: WedgeTarget | null = !opts.active() ? null : field ? scanField(field) : "none";
    if (target === null) {
      if (detector.busy()) apply(detector.flush());
      return;
    }
    lastT = e.timeStamp;
    const verdict = detector.feed({
      type: "key",
      t: e.timeStamp,
      key: e.key,
      code: e.code,
      // Deprecated, but the only place an IME-swallowed key shows itself (229) in WebKitGTK and Chromium.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      keyCode: e.keyCode,
      shift: e.shiftKey,
      mod: e.ctrlKey || e.altKey || e.metaKey,
      repeat: e.repeat,
      composing: e.isComposing,
      target,
    });
    if (verdict.swallow) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
    apply(verdict.out);
    // The field as it was before the burst's first key: taken once what the run before handed back is
    // in it (taken before the key, it lost those keys when a scan put the field back), and never at a
    // key that only may begin a burst (a Shift in a pause left a scan's first digits in the field).
    if (verdict.starts) {
      const [start, end] = field ? selection(field) : [null, null];
      snapshot = field ? { el: field, value: field.value, start, end } : null;
    }
  };

  // Only a multi-character insertion is the scan's tail (the IME's commit of the whole code): a
  // person's key inserts one character, and what a person types is never undone.
  const guarded = (e: InputEvent): TextField | null =>
    guard?.el === e.target && win.performance.now() < guard.until && (e.data?.length ?? 0) > 1 ? guard.el : null;

  const onBeforeInput = (e: InputEvent) => {
    // Insertions into a field we just took a scan out of are the scan's tail (cancelable ones only:
    // a composition's own text is not, and is undone in onInput).
    if (guarded(e) && e.inputType.startsWith("insert") && e.cancelable) e.preventDefault();
  };

  const onInput = (e: Event) => {
    if (!(e instanceof InputEvent)) return;
    const held = guarded(e) ? guard : null;
    if (held && held.el.value !== held.value) {
      held.el.value = held.value;
      announce(held.el);
    }
    if (e.data === null || !detector.busy()) return;
    apply(detector.feed({ type: "text", t: e.timeStamp, data: e.data, composing: e.isComposing }).out);
  };
  const onCompStart = (e: CompositionEvent) => {
    apply(detector.feed({ type: "composition", t: e.timeStamp, phase: "start", data: e.data }).out);
  };
  const onCompEnd = (e: CompositionEvent) => {
    apply(detector.feed({ type: "composition", t: e.timeStamp, phase: "end", data: e.data }).out);
  };

  win.addEventListener("keydown", onKey, true);
  win.addEventListener("beforeinput", onBeforeInput, true);
  win.addEventListener("input", onInput, true);
  win.addEventListener("compositionstart", onCompStart, true);
  win.addEventListener("compositionend", onCompEnd, true);
  return () => {
    if (timer !== null) clearTimeout(timer);
    win.removeEventListener("keydown", onKey, true);
    win.removeEventListener("beforeinput", onBeforeInput, true);
    win.removeEventListener("input", onInput, true);
    win.removeEventListener("compositionstart", onCompStart, true);
    win.removeEventListener("compositionend", onCompEnd, true);
  };
}
