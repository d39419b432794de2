// Keyboard-wedge scanner detection. Pure: it is fed normalised key/text events with their times and
// answers, per event, whether to swallow it, plus what it recognised. The DOM wiring lives in
// wedgeDom.ts.
//
// A wedge scanner "types" a whole code in a few milliseconds per character and ends it with Enter or
// Tab. Timing says which keys *may* be a scanner's (a run of keys close together), never which are:
// a busy page receives a person's keys bunched together, so a practised cashier's "12.34" arrives
// looking like a burst. What decides is the text: a run is a scan only when it ends in the suffix and
// core's rules for the field (TillStatus.scan_rules, applied through `classify`) say what it is.
// Anything else is typing and goes where it was typed, whole and in order, before the key that ended
// the run does anything: nothing a person types is ever removed or cut short.
//
// While a text field has the focus the first `fieldLeak` characters of a run go straight in (typing
// feels native, IMEs keep working) and later ones are held, so a scanned code never shows in clear in
// a field; held keys are handed back the moment the run is known to be typing. With no text field
// focused every character is held until it is known.
//
// With a Chinese IME on, keydowns often arrive as keyCode 229 / key "Process" (Chromium) or "Unidentified"
// (WebKitGTK): the character is then read from `code` (Digit1 → "1"), else from the input/composition
// text that follows. Full-width characters (１２３) are folded to ASCII.
import type { ScanField, ScanMeaning } from "./bindings";

export type WedgeConfig = {
  /** The longest pause between two characters of one scan. */
  maxGapMs: number;
  /** The longest pause between the last character and the Enter/Tab that ends a scan. */
  suffixGapMs: number;
  /** Characters let into a focused field before a burst is certain; the burst is certain one later. */
  fieldLeak: number;
};

// Measured here: xdotool typing 4 ms a key through ibus (WebKitGTK, libpinyin) arrives with gaps of 5–37 ms.
// A person's keys that look as close are handed back as typing (the text decides), so these only bound
// how long keys are held.
export const DEFAULT_WEDGE: WedgeConfig = { maxGapMs: 60, suffixGapMs: 150, fieldLeak: 2 };

/** Where the keys would land: the bill or amount field, or no text field at all. */
export type WedgeTarget = ScanField;

/** What a run of keys ended by the scanner's suffix means in `target`, by core's rules; null: typing. */
export type Classify = (text: string, target: WedgeTarget) => ScanMeaning | null;

export type WedgeInput =
  | {
      type: "key";
      t: number;
      key: string;
      code: string;
      keyCode: number;
      shift: boolean;
      /** Ctrl, Alt or Meta held: a shortcut, never part of a scan. */
      mod: boolean;
      repeat: boolean;
      composing: boolean;
      target: WedgeTarget;
    }
  /** An input event's text (insertText, or the whole composition so far while composing). */
  | { type: "text"; t: number; data: string; composing: boolean }
  | { type: "composition"; t: number; phase: "start" | "end"; data: string };

export type WedgeOutput =
  /** A burst is under way: show that something is being read (never what). */
  | { kind: "progress"; length: number }
  | { kind: "scan"; code: string; means: ScanMeaning }
  /** With no field focused, a payment code's burst whose suffix never came (incomplete); anywhere, a
   * burst ended by the suffix with a character no scanner sends (garbled): the cashier is told. */
  | { kind: "error"; reason: "incomplete" | "garbled"; length: number }
  /** Put the focused field back as it was before the scan's first character. Only ever before a scan. */
  | { kind: "restore" }
  /** Held keys that turned out to be a person's: deliver them (into the field, or to the app). */
  | { kind: "typed"; text: string; target: WedgeTarget }
  /** A run that showed progress turned out to be typing: the screen stops saying it reads a scan. */
  | { kind: "idle" };

export type WedgeVerdict = {
  swallow: boolean;
  out: WedgeOutput[];
  /** This key began a burst: the field as it is once `out` is applied (what the run before handed back
   * included), before this key lands, is what a scan puts it back to. */
  starts?: boolean;
};

const MODIFIERS = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "NumLock", "OS", "Fn"]);

const CODE_CHARS: Record<string, [string, string]> = {
  Minus: ["-", "_"],
  Equal: ["=", "+"],
  Period: [".", ">"],
  Comma: [",", "<"],
  Slash: ["/", "?"],
  Semicolon: [";", ":"],
  Quote: ["'", '"'],
  BracketLeft: ["[", "{"],
  BracketRight: ["]", "}"],
  Backslash: ["\\", "|"],
  Backquote: ["`", "~"],
  NumpadDecimal: [".", "."],
  NumpadAdd: ["+", "+"],
  NumpadSubtract: ["-", "-"],
  NumpadMultiply: ["*", "*"],
  NumpadDivide: ["/", "/"],
};
const SHIFTED_DIGITS = ")!@#$%^&*(";

/** The character a physical key stands for, for keydowns that an IME hid (keyCode 229). */
export function charFromCode(code: string, shift: boolean): string | null {
  let m = /^Digit([0-9])$/.exec(code);
  if (m?.[1] !== undefined) return shift ? (SHIFTED_DIGITS[Number(m[1])] ?? null) : m[1];
  m = /^Numpad([0-9])$/.exec(code);
  if (m?.[1] !== undefined) return m[1];
  m = /^Key([A-Z])$/.exec(code);
  if (m?.[1] !== undefined) return shift ? m[1] : m[1].toLowerCase();
  const pair = CODE_CHARS[code];
  return pair ? pair[shift ? 1 : 0] : null;
}

function fold(s: string): string {
  return s.normalize("NFKC");
}

function isSuffix(key: string, code: string, keyCode: number): boolean {
  return (
    key === "Enter" || key === "Tab" || code === "Enter" || code === "NumpadEnter" || code === "Tab" || keyCode === 13 || keyCode === 9
  );
}

/** What a keydown contributes: a character, the promise of one from the next text event, a suffix, or a
 * key that is no part of any scan. */
type KeyMeaning = { kind: "char"; ch: string } | { kind: "text" } | { kind: "suffix" } | { kind: "modifier" } | { kind: "other" };

function meaning(ev: Extract<WedgeInput, { type: "key" }>): KeyMeaning {
  if (MODIFIERS.has(ev.key)) return { kind: "modifier" };
  if (ev.mod || ev.repeat) return { kind: "other" };
  if (isSuffix(ev.key, ev.code, ev.keyCode)) return { kind: "suffix" };
  const hidden = ev.keyCode === 229 || ev.key === "Process" || ev.key === "Unidentified" || ev.key === "";
  if (!hidden) {
    if (ev.key.length === 1 && ev.key !== " ") return { kind: "char", ch: fold(ev.key) };
    return { kind: "other" };
  }
  if (MODIFIERS.has(ev.code.replace(/(Left|Right)$/, ""))) return { kind: "modifier" };
  const ch = charFromCode(ev.code, ev.shift);
  if (ch !== null) return { kind: "char", ch };
  if (ev.code === "Space" || ev.code === "Backspace" || ev.code === "Escape" || ev.code.startsWith("Arrow")) {
    return { kind: "other" };
  }
  return { kind: "text" };
}

type Run = {
  /** Characters so far; null marks a keydown whose character is still to come from a text event. */
  chars: (string | null)[];
  last: number;
  target: WedgeTarget;
  /** Characters that went into the focused field before swallowing began. */
  leaked: number;
  /** A swallowed key was one the IME had already taken (keyCode 229): preventDefault cannot stop those,
   * so the field holds them whatever we did. */
  imeLeak: boolean;
};

export class WedgeDetector {
  private run: Run | null = null;
  /** The composition text seen so far, to tell new characters from old in insertCompositionText. */
  private comp = "";
  readonly config: WedgeConfig;
  private readonly classify: Classify;

  constructor(classify: Classify, cfg: Partial<WedgeConfig> = {}) {
    this.classify = classify;
    this.config = { ...DEFAULT_WEDGE, ...cfg };
  }

  /** When the detector next needs `tick`, or null when nothing is held. */
  deadline(): number | null {
    return this.run ? this.run.last + this.config.suffixGapMs : null;
  }

  /** Whether keys are being held back right now (the adapter keeps the field snapshot meanwhile). */
  busy(): boolean {
    return this.run !== null;
  }

  tick(now: number): WedgeOutput[] {
    if (this.run && now - this.run.last > this.config.suffixGapMs) return this.finish(false);
    return [];
  }

  /** End whatever run is open as typing (the screen changed, scanning was switched off). */
  flush(): WedgeOutput[] {
    return this.finish(false);
  }

  feed(ev: WedgeInput): WedgeVerdict {
    switch (ev.type) {
      case "key":
        return this.key(ev);
      case "text":
        return { swallow: false, out: this.text(ev.data, ev.composing) };
      case "composition":
        if (ev.phase === "start") {
          this.comp = "";
          return { swallow: false, out: [] };
        }
        // The composition's final text fills any characters the keydowns could not name.
        return { swallow: false, out: this.closeComposition(ev.data) };
    }
  }

  private key(ev: Extract<WedgeInput, { type: "key" }>): WedgeVerdict {
    const m = meaning(ev);
    if (m.kind === "modifier") return { swallow: false, out: [] };
    const out = this.expire(ev.t, m.kind === "suffix" ? this.config.suffixGapMs : this.config.maxGapMs);
    switch (m.kind) {
      case "char":
      case "text":
        return this.addChar(m.kind === "char" ? m.ch : null, ev, out);
      case "suffix": {
        // A scan swallows its suffix; typing gets its keys back first, then the Enter or Tab does
        // what it always does, on the whole of what was typed.
        const end = this.finish(true);
        return { swallow: end.some((o) => o.kind === "scan"), out: [...out, ...end] };
      }
      case "other":
        // Backspace, arrows, Space…: no scanner sends them. What was held is typing, and goes in
        // before this key acts on it.
        return { swallow: false, out: [...out, ...this.finish(false)] };
    }
  }

  /** End a run whose next key came too late to belong to it. */
  private expire(t: number, limit: number): WedgeOutput[] {
    if (this.run && t - this.run.last > limit) return this.finish(false);
    return [];
  }

  private addChar(ch: string | null, ev: Extract<WedgeInput, { type: "key" }>, out: WedgeOutput[]): WedgeVerdict {
    const starts = this.run === null;
    this.run ??= { chars: [], last: ev.t, target: ev.target, leaked: 0, imeLeak: false };
    const run = this.run;
    run.chars.push(ch);
    run.last = ev.t;
    const swallow = run.target === "none" || run.chars.length > this.config.fieldLeak;
    if (!swallow) run.leaked = run.chars.length;
    else if (run.target !== "none" && (ev.keyCode === 229 || ev.composing)) run.imeLeak = true;
    if (this.certain(run)) out.push({ kind: "progress", length: run.chars.length });
    return starts ? { swallow, out, starts } : { swallow, out };
  }

  private text(data: string, composing: boolean): WedgeOutput[] {
    const before = this.comp;
    if (composing) this.comp = data;
    const fresh = composing && data.startsWith(before) ? data.slice(before.length) : data;
    return this.fill(fresh);
  }

  private closeComposition(data: string): WedgeOutput[] {
    const before = this.comp;
    this.comp = "";
    return this.fill(data.startsWith(before) ? data.slice(before.length) : "");
  }

  /** Characters from a text event go to the keydowns that could not name theirs; anything else is the
   * echo of a character already taken from its keydown. */
  private fill(fresh: string): WedgeOutput[] {
    const run = this.run;
    if (!run || fresh === "") return [];
    for (const ch of fold(fresh)) {
      const hole = run.chars.indexOf(null);
      if (hole < 0) break;
      run.chars[hole] = ch;
    }
    return this.certain(run) ? [{ kind: "progress", length: run.chars.length }] : [];
  }

  /** Enough keys in a row to be holding some back (and to say a scan may be under way). */
  private certain(run: Run): boolean {
    return run.chars.length > this.config.fieldLeak;
  }

  private known(run: Run): string {
    return run.chars.filter((c): c is string => c !== null).join("");
  }

  /** A scan's keys that reached a field come back out of it. */
  private takeBack(run: Run): WedgeOutput[] {
    return run.target !== "none" && (run.leaked > 0 || run.imeLeak) ? [{ kind: "restore" }] : [];
  }

  /** A person's keys: whatever was held back goes where it was meant to (the IME already put its own in). */
  private handBack(run: Run, chars: string): WedgeOutput[] {
    const held = run.imeLeak ? "" : chars.slice(run.leaked);
    return held ? [{ kind: "typed", text: held, target: run.target }] : [];
  }

  private finish(suffix: boolean): WedgeOutput[] {
    const run = this.run;
    if (!run) return [];
    this.run = null;
    const n = run.chars.length;
    const text = this.known(run);
    if (!this.certain(run)) return this.handBack(run, text);
    const whole = text.length === n && /^[\x21-\x7e]+$/.test(text);
    const means = whole ? this.classify(text, run.target) : null;
    if (suffix && means !== null) {
      return [...this.takeBack(run), { kind: "scan", code: text, means }];
    }
    if (run.target === "none") {
      // Keys that went to no field are the app's to interpret; a payment code among them is never
      // handed on as typing (it would land in the amount).
      if (!whole) return [{ kind: "idle" }, { kind: "error", reason: "garbled", length: n }];
      if (means === "payment_code") return [{ kind: "idle" }, { kind: "error", reason: "incomplete", length: n }];
    } else if (!whole && suffix) {
      // A burst ended like a scan but holding what no scanner sends and no bill or amount holds: an
      // IME spent one of the scanner's digits choosing a candidate (年). Its keys come out of the
      // field, and the cashier is asked to scan again rather than left with part of a code.
      return [...this.takeBack(run), { kind: "idle" }, { kind: "error", reason: "garbled", length: n }];
    }
    return [...this.handBack(run, text), { kind: "idle" }];
  }
}
