// The detector wired to a real (happy-dom) window: what ends up in the focused field.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScanRule } from "../src/bindings";
import { classifier } from "../src/scanRules";
import { attachWedge } from "../src/wedgeDom";
import rules from "./fixtures/scan-rules.json";

type Seen = { scans: string[]; errors: string[]; typed: string[]; progress: number[] };
let active = true;

let seen: Seen;
let detach: () => void;
let field: HTMLInputElement;

beforeEach(() => {
  seen = { scans: [], errors: [], typed: [], progress: [] };
  active = true;
  detach = attachWedge(
    window,
    {
      scan: (code) => seen.scans.push(code),
      error: (reason) => seen.errors.push(reason),
      typed: (text) => seen.typed.push(text),
      progress: (length) => seen.progress.push(length),
      idle: () => undefined,
    },
    { classify: classifier(() => rules.plain as ScanRule[]), active: () => active },
  );
  field = document.createElement("input");
  field.dataset.scan = "amount";
  field.value = "5.5";
  document.body.append(field);
  field.focus();
  field.setSelectionRange(3, 3);
});
afterEach(() => {
  detach();
  field.remove();
});

/** What a browser does with a key: keydown, then (unless prevented, or always when an IME took the key)
 * the character lands in the focused field with an input event. */
function press(ch: string, ime = false): void {
  const ev = new KeyboardEvent("keydown", {
    key: ime ? "Process" : ch,
    code: /^\d$/.test(ch) ? `Digit${ch}` : ch,
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the IME's 229 is what the detector reads
    keyCode: ime ? 229 : ch === "Enter" ? 13 : ch.charCodeAt(0),
    bubbles: true,
    cancelable: true,
  });
  const target = document.activeElement ?? document.body;
  target.dispatchEvent(ev);
  if (ch === "Enter" || (ev.defaultPrevented && !ime)) return;
  if (target instanceof HTMLInputElement) {
    target.setRangeText(ch, target.selectionStart ?? target.value.length, target.selectionEnd ?? target.value.length, "end");
    target.dispatchEvent(new InputEvent("input", { data: ch, inputType: "insertText", bubbles: true }));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CODE = "134520273825387649";

describe("wedge in a window", () => {
  it("a scan while the amount field has the focus leaves the field as it was", () => {
    for (const c of CODE) press(c);
    press("Enter");
    expect(seen.scans).toEqual([CODE]);
    expect(field.value).toBe("5.5");
    expect(document.activeElement).toBe(field);
    expect(seen.progress.length).toBeGreaterThan(0);
  });

  it("with an IME that puts every key in the field anyway, the field is still put back", () => {
    for (const c of CODE) press(c, true);
    press("Enter");
    expect(seen.scans).toEqual([CODE]);
    expect(field.value).toBe("5.5");
  });

  it("the IME's commit of the whole code, arriving after the Enter, is kept out of the field", () => {
    for (const c of CODE) press(c, true);
    press("Enter");
    expect(field.value).toBe("5.5");
    // Chromium with an IME: the Enter commits the composition after the keydown the detector ended on.
    const before = new InputEvent("beforeinput", { data: CODE, inputType: "insertText", bubbles: true, cancelable: true });
    field.dispatchEvent(before);
    expect(before.defaultPrevented).toBe(true);
    field.value = `5.5${CODE}`; // a commit that could not be cancelled (composition text)
    field.dispatchEvent(new InputEvent("input", { data: CODE, inputType: "insertCompositionText", bubbles: true }));
    expect(field.value).toBe("5.5");
    expect(seen.scans).toEqual([CODE]);
  });

  it("a person's digits at human speed go into the field untouched", async () => {
    for (const c of "12") {
      press(c);
      await sleep(150);
    }
    press("Enter");
    await sleep(350);
    expect(field.value).toBe("5.512");
    expect(seen.scans).toEqual([]);
    expect(seen.errors).toEqual([]);
  });

  it("with no field focused, a person's digit is handed to the app a moment later", async () => {
    field.blur();
    press("7");
    expect(seen.typed).toEqual([]);
    await sleep(400);
    expect(seen.typed).toEqual(["7"]);
  });

  it("a burst right after another key, in a field that replaced the old one, restores the new field", async () => {
    press("9");
    await sleep(150);
    const old = field;
    old.remove();
    press("Enter"); // the Enter that opened the next screen, no field focused
    field = document.createElement("input");
    field.dataset.scan = "amount";
    field.value = "7";
    document.body.append(field);
    field.focus(); // and at once a scan into its field
    for (const c of CODE) press(c);
    press("Enter");
    expect(seen.scans).toEqual([CODE]);
    expect(field.value).toBe("7");
    expect(old.value).toBe("5.59");
  });

  it("WebKitGTK hands keys over one by one, long after they happened: still one scan", async () => {
    // Made together (timestamps a few microseconds apart, as the X server stamped them), handed to the
    // page 60 ms apart (WebKit waits for each keydown to be acknowledged while the page re-renders).
    const keys = [...Array.from(CODE), "Enter"].map(
      (k) => new KeyboardEvent("keydown", { key: k, code: k === "Enter" ? "Enter" : `Digit${k}`, bubbles: true, cancelable: true }),
    );
    for (const ev of keys) {
      field.dispatchEvent(ev);
      if (!ev.defaultPrevented && ev.key !== "Enter") {
        field.setRangeText(ev.key, field.value.length, field.value.length, "end");
        field.dispatchEvent(new InputEvent("input", { data: ev.key, inputType: "insertText", bubbles: true }));
      }
      await sleep(60);
    }
    expect(seen.errors).toEqual([]);
    expect(seen.scans).toEqual([CODE]);
    expect(field.value).toBe("5.5");
  });

  it("a page too busy to run while the scan's Enter waited in the queue: still one scan", async () => {
    // The keys as the X server stamped them, all in time; the page then stalls (a long frame) past the
    // timer that ends a burst, so that timer and the queued Enter are both due when it runs again.
    const keys = [...Array.from(CODE), "Enter"].map(
      (k) => new KeyboardEvent("keydown", { key: k, code: k === "Enter" ? "Enter" : `Digit${k}`, bubbles: true, cancelable: true }),
    );
    const enter = keys.pop();
    for (const ev of keys) field.dispatchEvent(ev);
    const stalled = performance.now();
    while (performance.now() - stalled < 450) {
      // busy: nothing else runs
    }
    await sleep(0);
    if (enter) field.dispatchEvent(enter);
    await sleep(400);
    expect(seen.errors).toEqual([]);
    expect(seen.scans).toEqual([CODE]);
    expect(field.value).toBe("5.5");
  });

  it("a burst in a field whose suffix never comes is typing: every key ends up in the field, in order", async () => {
    for (const c of "1345202738") press(c);
    await sleep(400);
    expect(seen.errors).toEqual([]);
    expect(field.value).toBe("5.51345202738");
  });

  it("with no field focused, a payment code whose suffix never came is reported, and typed nowhere", async () => {
    field.blur();
    for (const c of "1345202738") press(c);
    await sleep(400);
    expect(seen.errors).toEqual(["incomplete"]);
    expect(seen.typed).toEqual([]);
  });

  it("a fast person's amount and Enter: the whole amount is in the field when the Enter reaches it", () => {
    field.value = "";
    let valueAtEnter: string | null = null;
    const onEnter = (e: KeyboardEvent) => {
      if (e.key === "Enter") valueAtEnter = field.value;
    };
    field.addEventListener("keydown", onEnter);
    // Every key stamped within microseconds, as a busy page receives a person's keys.
    for (const c of "12.34") press(c);
    press("Enter");
    field.removeEventListener("keydown", onEnter);
    expect(valueAtEnter).toBe("12.34");
    expect(seen.scans).toEqual([]);
  });

  it("a field that takes no scans (a password, a note) is never touched", () => {
    const pw = document.createElement("input");
    pw.type = "password";
    document.body.append(pw);
    pw.focus();
    for (const c of "1345202738734") press(c);
    press("Enter");
    expect(pw.value).toBe("1345202738734");
    expect(seen.scans).toEqual([]);
    pw.remove();
  });

  it("while scanning is off (the login screen) every key goes where it is typed", () => {
    active = false;
    field.value = "";
    for (const c of CODE) press(c);
    press("Enter");
    expect(field.value).toBe(CODE);
    expect(seen.scans).toEqual([]);
  });
});
