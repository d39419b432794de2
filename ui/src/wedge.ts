// Keyboard-wedge scanner detection by key timing. Pure: it is fed normalised key/text events with their
// times and answers, per event, whether to swallow it, plus what it recognised. The DOM wiring lives in
// wedgeDom.ts.
//
// Why timing: a wedge scanner "types" a whole code in a few milliseconds per character and ends it with
// Enter or Tab; a person's keys are tens to hundreds of milliseconds apart. The first characters of a
// burst cannot be told from a person's at the moment they arrive, so while a text field has the focus the
// first `fieldLeak` characters are let through (typing feels native, IMEs keep working) and taken back
// ("restore") once the burst is certain; with no text field focused every character is held until it is
// known, and a person's keys are handed back ("typed") a moment later.
//
// With a Chinese IME on, keydowns often arrive as keyCode 229 / key "Process" (Chromium) or "Unidentified"
// (WebKitGTK): the character is then read from `code` (Digit1 → "1"), else from the input/composition
// text that follows. Full-width characters (１２３) are folded to ASCII.

export type WedgeConfig = {
  /** The longest pause between two characters of one scan. */
  maxGapMs: number;
  /** The longest pause between the last character and the Enter/Tab that ends a scan. */
  suffixGapMs: number;
  /** A scan shorter than this (with its suffix) is reported as incomplete. */
  minLength: number;
  /** Characters let into a focused field before a burst is certain; the burst is certain one later. */
  fieldLeak: number;
};

// Measured here: xdotool typing 4 ms a key through ibus (WebKitGTK, libpinyin) arrives with gaps of 5–37 ms;
// a person's keys are rarely under 60 ms apart three times running.
export const DEFAULT_WEDGE: WedgeConfig = { maxGapMs: 60, suffixGapMs: 150, minLength: 6, fieldLeak: 2 };

/** Where the keys would land: an editable text field, or nothing that takes text. */
export type WedgeTarget = "field" | "none";

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
  /** A burst is under way: show it at once. */
  | { kind: "progress"; length: number; masked: string }
  | { kind: "scan"; code: string; masked: string }
  /** short: too few characters before the suffix; incomplete: no suffix came; garbled: a stray key inside. */
  | { kind: "error"; reason: "short" | "incomplete" | "garbled"; length: number }
  /** Put the focused field back as it was before the burst's first character. */
  | { kind: "restore" }
  /** Held keys that turned out to be a person's: deliver them (into the field, or to the app). */
  | { kind: "typed"; text: string; target: WedgeTarget };

export type WedgeVerdict = { swallow: boolean; out: WedgeOutput[] };

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

/** "1345 **** **** 7649": enough to recognise a code on screen, never the whole of it. */
export function maskCode(code: string): string {
  if (code.length >= 12) return `${code.slice(0, 4)} **** **** ${code.slice(-4)}`;
  if (code.length >= 6) return `${code.slice(0, 2)}${"*".repeat(code.length - 4)}${code.slice(-2)}`;
  return "*".repeat(code.length);
}

/** While the burst is still arriving: the first four characters, then dots. */
function maskPartial(chars: string): string {
  const head = chars.slice(0, 4);
  return chars.length > 4 ? `${head} ${"•".repeat(Math.min(chars.length - 4, 16))}` : head;
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

  constructor(cfg: Partial<WedgeConfig> = {}) {
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

  /** Whether a character at time `t` would begin a new burst (so the field is worth a snapshot now). */
  startsRun(t: number): boolean {
    return this.run === null || t - this.run.last > this.config.maxGapMs;
  }

  tick(now: number): WedgeOutput[] {
    if (this.run && now - this.run.last > this.config.suffixGapMs) return this.finish(false);
    return [];
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
    const run = this.run;
    switch (m.kind) {
      case "char":
      case "text":
        return this.addChar(m.kind === "char" ? m.ch : null, ev, out);
      case "suffix":
        if (!run) return { swallow: false, out };
        if (this.certain(run)) return { swallow: true, out: [...out, ...this.finish(true)] };
        // A person's quick key then Enter: hand back what was held, let the Enter through.
        return { swallow: false, out: [...out, ...this.finish(false)] };
      case "other":
        if (run && this.certain(run)) {
          this.run = null;
          return { swallow: true, out: [...out, ...this.takeBack(run), { kind: "error", reason: "garbled", length: run.chars.length }] };
        }
        return { swallow: false, out: [...out, ...this.finish(false)] };
    }
  }

  /** End a run whose next key came too late to belong to it. */
  private expire(t: number, limit: number): WedgeOutput[] {
    if (this.run && t - this.run.last > limit) return this.finish(false);
    return [];
  }

  private addChar(ch: string | null, ev: Extract<WedgeInput, { type: "key" }>, out: WedgeOutput[]): WedgeVerdict {
    this.run ??= { chars: [], last: ev.t, target: ev.target, leaked: 0, imeLeak: false };
    const run = this.run;
    run.chars.push(ch);
    run.last = ev.t;
    const swallow = run.target === "none" || run.chars.length > this.config.fieldLeak;
    if (!swallow) run.leaked = run.chars.length;
    else if (run.target === "field" && (ev.keyCode === 229 || ev.composing)) run.imeLeak = true;
    if (this.certain(run)) out.push({ kind: "progress", length: run.chars.length, masked: maskPartial(this.known(run)) });
    return { swallow, out };
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
    return this.certain(run) ? [{ kind: "progress", length: run.chars.length, masked: maskPartial(this.known(run)) }] : [];
  }

  private certain(run: Run): boolean {
    return run.chars.length > this.config.fieldLeak;
  }

  private known(run: Run): string {
    return run.chars.filter((c): c is string => c !== null).join("");
  }

  private takeBack(run: Run): WedgeOutput[] {
    return run.target === "field" && (run.leaked > 0 || run.imeLeak) ? [{ kind: "restore" }] : [];
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
    if (!this.certain(run)) return this.handBack(run, this.known(run));
    const code = this.known(run);
    const back = this.takeBack(run);
    // A key whose character never came, or one that is no scanner's (an IME's 年 in its place).
    if (code.length !== n || !/^[\x21-\x7e]+$/.test(code)) return [...back, { kind: "error", reason: "garbled", length: n }];
    if (!suffix) {
      // Too short to be a scan and no suffix: a fast person. Give the held keys back.
      if (n < this.config.minLength) return this.handBack(run, code);
      return [...back, { kind: "error", reason: "incomplete", length: n }];
    }
    if (n < this.config.minLength) return [...back, { kind: "error", reason: "short", length: n }];
    return [...back, { kind: "scan", code, masked: maskCode(code) }];
  }
}
