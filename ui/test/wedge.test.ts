import { describe, expect, it } from "vitest";
import type { ScanRule } from "../src/bindings";
import { classifier } from "../src/scanRules";
import { WedgeDetector as Detector, charFromCode, type WedgeConfig, type WedgeInput, type WedgeOutput, type WedgeTarget } from "../src/wedge";
import rules from "./fixtures/scan-rules.json";

/** The detector with core's own rules (written by core's bindings test). */
class WedgeDetector extends Detector {
  constructor(cfg: Partial<WedgeConfig> = {}, framed = false) {
    const r = (framed ? rules.framed : rules.plain) as ScanRule[];
    super(classifier(() => r), cfg);
  }
}

type Key = Extract<WedgeInput, { type: "key" }>;

function key(k: string, t: number, target: WedgeTarget = "none", more: Partial<Key> = {}): Key {
  const code = /^[0-9]$/.test(k) ? `Digit${k}` : /^[a-z]$/i.test(k) ? `Key${k.toUpperCase()}` : k;
  const keyCode = k === "Enter" ? 13 : k === "Tab" ? 9 : k.length === 1 ? k.toUpperCase().charCodeAt(0) : 0;
  return { type: "key", t, key: k, code, keyCode, shift: false, mod: false, repeat: false, composing: false, target, ...more };
}

/** Feed events; collect the outputs, the swallowed flags, and finally drain the timer. */
function drive(d: WedgeDetector, events: WedgeInput[], end = Infinity) {
  const out: WedgeOutput[] = [];
  const swallowed: boolean[] = [];
  for (const e of events) {
    const v = d.feed(e);
    swallowed.push(v.swallow);
    out.push(...v.out);
  }
  if (end !== Infinity || d.deadline() !== null) out.push(...d.tick(end === Infinity ? (d.deadline() ?? 0) + 1 : end));
  return { out, swallowed, scans: out.flatMap((o) => (o.kind === "scan" ? [o.code] : [])) };
}

/** A scanner typing `code` `gap` ms per key, then its suffix. */
function scan(code: string, t0: number, gap = 4, target: WedgeTarget = "none", suffix = "Enter"): Key[] {
  const keys = Array.from(code).map((c, i) => key(c, t0 + i * gap, target));
  keys.push(key(suffix, t0 + code.length * gap, target));
  return keys;
}

const CODE = "134520273825387649";

describe("keyboard-wedge detector", () => {
  it("recognises a normal scan and swallows every key of it", () => {
    const r = drive(new WedgeDetector(), scan(CODE, 1000));
    expect(r.scans).toEqual([CODE]);
    expect(r.swallowed.every(Boolean)).toBe(true);
    expect(r.out.find((o) => o.kind === "scan")).toEqual({ kind: "scan", code: CODE, means: "payment_code" });
  });

  it("shows that a burst is being read from the third key, never what it reads", () => {
    const d = new WedgeDetector();
    const ev = scan(CODE, 0);
    const at = (i: number): WedgeInput => {
      const e = ev[i];
      if (!e) throw new Error(`no event ${i}`);
      return e;
    };
    expect(d.feed(at(0)).out).toEqual([]);
    expect(d.feed(at(1)).out).toEqual([]);
    expect(d.feed(at(2)).out).toEqual([{ kind: "progress", length: 3 }]);
    const shown = drive(d, ev.slice(3)).out.filter((o) => o.kind !== "scan");
    expect(JSON.stringify(shown)).not.toContain("1345");
  });

  it("leaves a person's typing alone in a field", () => {
    const d = new WedgeDetector();
    const typed = Array.from("12.50").map((c, i) => key(c, 5000 + i * 120, "amount"));
    typed.push(key("Enter", 5000 + 5 * 120, "amount"));
    const r = drive(d, typed);
    expect(r.swallowed.every((s) => !s)).toBe(true);
    expect(r.out).toEqual([]);
  });

  it("hands a person's keys back when no field had the focus", () => {
    const d = new WedgeDetector();
    const r1 = d.feed(key("7", 100));
    expect(r1.swallow).toBe(true); // held until it is known not to be a scan
    expect(d.feed(key("5", 260)).out).toEqual([{ kind: "typed", text: "7", target: "none" }]);
    const r = drive(d, [key("Enter", 400)]);
    expect(r.out).toEqual([{ kind: "typed", text: "5", target: "none" }]);
    expect(r.swallowed).toEqual([false]); // the Enter itself is the person's
  });

  it("gives a fast person's rollover back, with the Enter after it", () => {
    const d = new WedgeDetector();
    const r = drive(d, [key("1", 0, "amount"), key("2", 20, "amount"), key("Enter", 60, "amount")]);
    expect(r.swallowed).toEqual([false, false, false]);
    expect(r.out).toEqual([]);
  });

  it("gives back quick keys with no suffix (a person, not a scan)", () => {
    const d = new WedgeDetector();
    const r = drive(d, [key("1", 0, "amount"), key("0", 20, "amount"), key("0", 40, "amount")], 1000);
    expect(r.swallowed).toEqual([false, false, true]);
    expect(r.out.filter((o) => o.kind === "typed")).toEqual([{ kind: "typed", text: "0", target: "amount" }]);
  });

  it("takes back the first keys a scan typed into the amount field", () => {
    const d = new WedgeDetector();
    const human = [key("1", 0, "amount"), key("2", 150, "amount")];
    const r = drive(d, [...human, ...scan(CODE, 400, 5, "amount")]);
    // The person's keys pass; the scan's first two pass too (not yet known), the rest are swallowed.
    expect(r.swallowed.slice(0, 4)).toEqual([false, false, false, false]);
    expect(r.swallowed.slice(4).every(Boolean)).toBe(true);
    const tail = r.out.filter((o) => o.kind !== "progress");
    expect(tail).toEqual([{ kind: "restore" }, { kind: "scan", code: CODE, means: "payment_code" }]);
  });

  it("a bill ticket scanned with no field focused, Tab-terminated, is the bill number", () => {
    const r = drive(new WedgeDetector(), scan("B20261130001", 0, 3, "none", "Tab"));
    expect(r.out.filter((o) => o.kind === "scan")).toEqual([{ kind: "scan", code: "B20261130001", means: "bill_number" }]);
    expect(r.swallowed.at(-1)).toBe(true); // focus does not move
  });

  it("a bill ticket scanned into the bill field is typing there: every character stays, the Tab moves on", () => {
    const r = drive(new WedgeDetector(), scan("B20261130001", 0, 3, "bill", "Tab"));
    expect(r.scans).toEqual([]);
    expect(r.out.filter((o) => o.kind === "typed")).toEqual([{ kind: "typed", text: "0261130001", target: "bill" }]);
    expect(r.swallowed.at(-1)).toBe(false);
  });

  it("a customer's code scanned into the bill field is the payment scan", () => {
    const r = drive(new WedgeDetector(), scan(CODE, 0, 3, "bill"));
    expect(r.out.filter((o) => o.kind === "scan" || o.kind === "restore")).toEqual([
      { kind: "restore" },
      { kind: "scan", code: CODE, means: "payment_code" },
    ]);
  });

  it("a long burst in a field that never ends with a suffix is typing, handed back whole", () => {
    const keys = Array.from("1345202738").map((c, i) => key(c, i * 4, "amount"));
    const r = drive(new WedgeDetector(), keys, 10_000);
    expect(r.out.filter((o) => o.kind !== "progress")).toEqual([{ kind: "typed", text: "45202738", target: "amount" }, { kind: "idle" }]);
  });

  it("with no field focused, a payment code whose suffix never came is incomplete, handed to no field", () => {
    const keys = Array.from("1345202738").map((c, i) => key(c, i * 4));
    const r = drive(new WedgeDetector(), keys, 10_000);
    expect(r.out.filter((o) => o.kind !== "progress")).toEqual([{ kind: "idle" }, { kind: "error", reason: "incomplete", length: 10 }]);
  });

  it("a stray key inside a burst in a field hands the keys back before the stray key acts", () => {
    const keys = Array.from("134520").map((c, i) => key(c, i * 4, "amount"));
    keys.push(key("Backspace", 24, "amount"));
    const r = drive(new WedgeDetector(), keys, 10_000);
    expect(r.swallowed.at(-1)).toBe(false);
    expect(r.out.filter((o) => o.kind !== "progress")).toEqual([{ kind: "typed", text: "4520", target: "amount" }, { kind: "idle" }]);
  });

  it("splits a scan with a long pause in the middle: the first part is incomplete, the rest is judged alone", () => {
    const first = Array.from("1345202738").map((c, i) => key(c, i * 4));
    const second = scan("25387649", 500);
    const r = drive(new WedgeDetector(), [...first, ...second]);
    expect(r.out.filter((o) => o.kind === "error" || o.kind === "scan")).toEqual([
      { kind: "error", reason: "incomplete", length: 10 },
      { kind: "scan", code: "25387649", means: "bill_number" },
    ]);
  });

  it("ignores Shift between a scanner's capital letters", () => {
    const keys: Key[] = [];
    let t = 0;
    for (const c of "AB1234567") {
      if (/[A-Z]/.test(c)) keys.push(key("Shift", t, "none"));
      keys.push(key(c, (t += 3), "none", { shift: /[A-Z]/.test(c) }));
    }
    keys.push(key("Enter", t + 3));
    expect(drive(new WedgeDetector(), keys).scans).toEqual(["AB1234567"]);
  });

  it("does not take held-down key repeats for a scan", () => {
    const keys = Array.from({ length: 12 }, (_, i) => key("0", i * 30, "amount", { repeat: i > 0 }));
    const r = drive(new WedgeDetector(), keys);
    expect(r.swallowed.every((s) => !s)).toBe(true);
    expect(r.out).toEqual([]);
  });

  it("honours configured thresholds (a slow scanner, 90 ms a key)", () => {
    const slow = new WedgeDetector({ maxGapMs: 120, suffixGapMs: 200 });
    expect(drive(slow, scan(CODE, 0, 90)).scans).toEqual([CODE]);
    expect(drive(new WedgeDetector(), scan(CODE, 0, 90)).scans).toEqual([]);
  });

  it("takes the jittery gaps seen through ibus (5–37 ms) as one scan", () => {
    const gaps = [23, 9, 12, 17, 19, 5, 23, 3, 11, 14, 20, 19, 5, 28, 11, 37, 7, 30];
    let t = 1741;
    const keys = Array.from(CODE).map((c, i) => key(c, i === 0 ? t : (t += gaps[i - 1] ?? 10), "amount"));
    keys.push(key("Enter", t + (gaps.at(-1) ?? 30), "amount"));
    expect(drive(new WedgeDetector(), keys).scans).toEqual([CODE]);
  });

  it("a scanner's framing (prefix and suffix characters) is part of a scan, as core reads it", () => {
    expect(drive(new WedgeDetector({}, true), scan(`]Q+${CODE}$`, 0)).scans).toEqual([`]Q+${CODE}$`]);
    expect(drive(new WedgeDetector({}, true), scan(CODE, 0)).scans).toEqual([CODE]);
  });
});

/** What the cashier sees in a field: the keys the detector let through, then what it handed back, in
 * order; and whether the Enter reached the field with all of it there. */
function typeInto(target: WedgeTarget, text: string, times: number[], enterAt: number): { field: string; enterPassed: boolean; scans: string[] } {
  const d = new WedgeDetector();
  let field = "";
  const scans: string[] = [];
  const take = (out: WedgeOutput[]) => {
    for (const o of out) {
      if (o.kind === "typed") field += o.text;
      if (o.kind === "restore") field = "";
      if (o.kind === "scan") scans.push(o.code);
    }
  };
  Array.from(text).forEach((c, i) => {
    const v = d.feed(key(c, times[i] ?? 0, target));
    take(v.out);
    if (!v.swallow) field += c;
  });
  const enter = d.feed(key("Enter", enterAt, target));
  take(enter.out);
  return { field, enterPassed: !enter.swallow, scans };
}

describe("a cashier's typing is never taken for a scan", () => {
  const amounts = ["12.34", "123.45", "1", "12", "100", "99999.99", "0.5", "8.80", "1000.00", "88888"];

  it("amounts typed at any speed, even with every key stamped at the same moment, reach the field whole before Enter", () => {
    for (const amount of amounts) {
      for (const gap of [0, 1, 5, 30, 59, 70, 80, 90, 100, 110, 150]) {
        const times = Array.from(amount, (_, i) => 1000 + i * gap);
        const last = times.at(-1) ?? 1000;
        for (const enterAt of [last, last + 1, last + gap]) {
          const r = typeInto("amount", amount, times, enterAt);
          expect({ amount, gap, enterAt, ...r }).toEqual({ amount, gap, enterAt, field: amount, enterPassed: true, scans: [] });
        }
      }
    }
  });

  it("random bunching of a person's keys (a busy page) never loses or reorders a character", () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const amount = `${Math.floor(rnd() * 100000)}${rnd() < 0.7 ? `.${String(Math.floor(rnd() * 100)).padStart(2, "0")}` : ""}`;
      let t = 0;
      const times = Array.from(amount, () => (t += rnd() < 0.5 ? 0 : Math.floor(rnd() * 200)));
      const r = typeInto(rnd() < 0.5 ? "amount" : "bill", amount, times, t + (rnd() < 0.5 ? 0 : Math.floor(rnd() * 200)));
      expect({ amount, times, ...r }).toEqual({ amount, times, field: amount, enterPassed: true, scans: [] });
    }
  });

  it("bill numbers typed fast into the bill field stay there as typed", () => {
    for (const bill of ["B1001", "20261130000042", "T-9/42", "A1"]) {
      const r = typeInto("bill", bill, Array.from(bill, (_, i) => i * 2), bill.length * 2);
      expect(r).toEqual({ field: bill, enterPassed: true, scans: [] });
    }
  });

  it("next to them, scans at 4–30 ms a key are still scans", () => {
    for (const gap of [4, 10, 20, 30]) {
      const times = Array.from(CODE, (_, i) => i * gap);
      expect(typeInto("amount", CODE, times, CODE.length * gap)).toEqual({ field: "", enterPassed: false, scans: [CODE] });
      expect(typeInto("bill", CODE, times, CODE.length * gap)).toEqual({ field: "", enterPassed: false, scans: [CODE] });
    }
  });
});

describe("keyboard-wedge detector with a Chinese IME on", () => {
  const ime = (c: string, t: number, more: Partial<Key> = {}): Key =>
    key(c, t, "amount", { key: "Process", keyCode: 229, code: /^[0-9]$/.test(c) ? `Digit${c}` : c, ...more });

  it("Chromium: keyCode 229 / key Process, the character only in `code`, then an insertText echo", () => {
    const events: WedgeInput[] = [];
    Array.from(CODE).forEach((c, i) => {
      events.push(ime(c, i * 5), { type: "text", t: i * 5 + 1, data: c, composing: false });
    });
    events.push(ime("Enter", CODE.length * 5, { code: "Enter" }));
    const r = drive(new WedgeDetector(), events);
    expect(r.scans).toEqual([CODE]);
    expect(r.out.filter((o) => o.kind === "restore")).toHaveLength(1);
  });

  it("WebKitGTK: key Unidentified with no code; the character arrives in the input event", () => {
    const events: WedgeInput[] = [];
    Array.from(CODE).forEach((c, i) => {
      events.push(ime(c, i * 5, { key: "Unidentified", code: "" }), { type: "text", t: i * 5 + 1, data: c, composing: false });
    });
    events.push(key("Enter", CODE.length * 5, "amount"));
    expect(drive(new WedgeDetector(), events).scans).toEqual([CODE]);
  });

  it("composing: insertCompositionText carries the whole composition, compositionend the final text", () => {
    const events: WedgeInput[] = [{ type: "composition", t: 0, phase: "start", data: "" }];
    Array.from(CODE).forEach((c, i) => {
      events.push(ime(c, i * 5, { code: "", key: "Unidentified", composing: true }), {
        type: "text",
        t: i * 5 + 1,
        data: CODE.slice(0, i + 1),
        composing: true,
      });
    });
    events.push(ime("Enter", CODE.length * 5, { code: "Enter", composing: true }));
    events.push({ type: "composition", t: CODE.length * 5 + 1, phase: "end", data: CODE });
    expect(drive(new WedgeDetector(), events).scans).toEqual([CODE]);
  });

  it("the first key comes before compositionstart, not yet composing but already 229 (Fcitx/Mozc order)", () => {
    const events: WedgeInput[] = [];
    Array.from(CODE).forEach((c, i) => {
      events.push(ime(c, i * 5, { key: "Unidentified", code: "", composing: i > 0 }));
      if (i === 0) events.push({ type: "composition", t: 1, phase: "start", data: "" });
      events.push({ type: "text", t: i * 5 + 2, data: CODE.slice(0, i + 1), composing: true });
    });
    events.push({ type: "composition", t: CODE.length * 5, phase: "end", data: CODE });
    events.push(key("Enter", CODE.length * 5 + 1, "amount")); // Safari-like: Enter after compositionend
    expect(drive(new WedgeDetector(), events).scans).toEqual([CODE]);
  });

  it("composing with full-width digits from the IME: folded to ASCII", () => {
    const wide = Array.from(CODE).map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
    const events: WedgeInput[] = [];
    Array.from(wide).forEach((c, i) => {
      events.push(ime(c, i * 5, { key: "Unidentified", code: "" }), { type: "text", t: i * 5 + 1, data: c, composing: false });
    });
    events.push(ime("Enter", CODE.length * 5, { code: "NumpadEnter" }));
    expect(drive(new WedgeDetector(), events).scans).toEqual([CODE]);
  });

  it("only the Enter hidden by the IME: still a suffix", () => {
    const events: WedgeInput[] = Array.from(CODE).map((c, i) => key(c, i * 5, "amount"));
    events.push(ime("Enter", CODE.length * 5, { code: "Enter" }));
    expect(drive(new WedgeDetector(), events).scans).toEqual([CODE]);
  });

  it("WebKitGTK + ibus with a pinyin preedit open: the IME eats the first digit as a candidate choice → garbled, not a wrong code", () => {
    // As seen: the cashier's "n" shows 年 in the preedit; the scanner's "1" arrives as keyCode 229 with key and
    // code "Unidentified" and commits 年; the other digits arrive as plain keys.
    const events: WedgeInput[] = [
      ime("n", 1967, { key: "Unidentified", code: "Unidentified" }),
      { type: "composition", t: 2190, phase: "start", data: "" },
      { type: "text", t: 2241, data: "年", composing: true },
      ime("1", 2585, { key: "Unidentified", code: "Unidentified", composing: true }),
      { type: "text", t: 2601, data: "年", composing: true },
      { type: "composition", t: 2606, phase: "end", data: "年" },
      ...Array.from(CODE.slice(1)).map((c, i) => key(c, 2590 + i * 3, "amount")),
      key("Enter", 2650, "amount"),
    ];
    const r = drive(new WedgeDetector(), events);
    expect(r.scans).toEqual([]);
    expect(r.out.filter((o) => o.kind === "restore" || o.kind === "error")).toEqual([
      { kind: "restore" },
      { kind: "error", reason: "garbled", length: 18 },
    ]);
  });

  it("a hole filled by something no scanner types (a CJK commit) is garbled", () => {
    const events: WedgeInput[] = [ime("1", 0, { key: "Unidentified", code: "" }), { type: "text", t: 1, data: "年", composing: false }];
    events.push(...Array.from(CODE.slice(1)).map((c, i) => key(c, 5 + i * 5, "amount")), key("Enter", 100, "amount"));
    expect(drive(new WedgeDetector(), events).out.filter((o) => o.kind === "error" || o.kind === "scan")).toEqual([
      { kind: "error", reason: "garbled", length: 18 },
    ]);
  });

  it("a person typing pinyin at human speed is left alone", () => {
    const events: WedgeInput[] = [{ type: "composition", t: 0, phase: "start", data: "" }];
    Array.from("nihao").forEach((c, i) => {
      events.push(ime(c, i * 140, { code: `Key${c.toUpperCase()}`, composing: true }), {
        type: "text",
        t: i * 140 + 1,
        data: "nihao".slice(0, i + 1),
        composing: true,
      });
    });
    const r = drive(new WedgeDetector(), events);
    expect(r.swallowed.every((s) => !s)).toBe(true);
    expect(r.out).toEqual([]);
  });

  it("a person's quick keys under the IME are never inserted twice", () => {
    const events: WedgeInput[] = [ime("1", 0), ime("2", 10), ime("3", 20)];
    const r = drive(new WedgeDetector(), events, 1000);
    expect(r.out.filter((o) => o.kind === "typed")).toEqual([]);
  });
});

describe("keyboard-wedge detector under load", () => {
  it("a burst of 1,000 back-to-back scans loses none", () => {
    const codes = Array.from({ length: 1000 }, (_, i) => `13${String(i).padStart(6, "0")}${String(i * 7919).padStart(10, "0")}`);
    const d = new WedgeDetector();
    const events: WedgeInput[] = [];
    let t = 0;
    codes.forEach((c, i) => {
      // Alternate the focus and the suffix, with no pause at all between one scan's Enter and the next.
      const gap = 2 + (i % 3);
      events.push(...scan(c, t, gap, i % 2 ? "amount" : "none", i % 5 ? "Enter" : "Tab"));
      t += (c.length + 1) * gap;
    });
    const r = drive(d, events);
    expect(r.scans).toHaveLength(1000);
    expect(r.scans).toEqual(codes);
    expect(r.out.filter((o) => o.kind === "error" || o.kind === "typed")).toEqual([]);
  });
});

describe("helpers", () => {
  it("reads the character of an IME-hidden key from its code", () => {
    expect(charFromCode("Digit7", false)).toBe("7");
    expect(charFromCode("Numpad3", false)).toBe("3");
    expect(charFromCode("KeyB", true)).toBe("B");
    expect(charFromCode("KeyB", false)).toBe("b");
    expect(charFromCode("Minus", false)).toBe("-");
    expect(charFromCode("F1", false)).toBeNull();
  });
});
