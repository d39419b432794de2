// The screens in happy-dom against the real Till: core on the embedded sandbox, through the development bridge
// (crates/bridge, started by test/setup/bridge.ts, reset to a fresh till before each test). What the cashier
// types and sees, and the commands behind it. (The desktop app is tested end to end in the repository's tests/.)
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import { App } from "../src/App";
import type { Command } from "../src/bindings";
import { Store } from "../src/store";
import { bridgeTransport, resetTill, sandboxDelete, sandboxPost } from "./bridge";

let calls: Command[];
let sandbox: string;
let bridges: { close(): void }[] = [];

beforeEach(async () => {
  // Keys here are stamped when dispatched, so a busy machine could stretch a synthetic scan: a wide gap
  // keeps these screen tests about screens (the detector's timing has its own tests).
  localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 400, suffixGapMs: 600 }));
  sandbox = await resetTill();
  const bridge = bridgeTransport();
  bridges.push(bridge);
  calls = [];
  setTransport({
    run: (command) => {
      calls.push(command);
      return bridge.run(command);
    },
    listen: (h) => bridge.listen(h),
  });
});
afterEach(() => {
  cleanup();
  for (const b of bridges) b.close();
  bridges = [];
});

/** The arguments of every call of one command, in order. */
function argsOf<K extends keyof UnionKeys>(name: K): UnionKeys[K][] {
  return calls.flatMap((c) => (name in c ? [(c as UnionKeys)[name]] : []));
}
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type UnionKeys = UnionToIntersection<Command>;
const sent = (name: keyof UnionKeys) => argsOf(name).length;

const id = (t: string) => screen.getByTestId(t);
const wait = (t: string, timeout = 4000) => waitFor(() => id(t), { timeout });

async function loggedIn(): Promise<void> {
  render(<App store={new Store()} />);
  await wait("login-operator");
  fireEvent.input(id("login-operator"), { target: { value: "cashier" } });
  fireEvent.input(id("login-password"), { target: { value: "123456" } });
  submitLogin();
  await wait("bill-input");
}

function submitLogin(): void {
  const form = id("login-password").closest("form");
  if (!form) throw new Error("the login fields are not in a form");
  fireEvent.submit(form);
}

/** A key as a browser handles it: keydown, then, unless something prevented it, its character in the
 * focused field. */
function key(k: string, more: KeyboardEventInit = {}): void {
  const target = document.activeElement ?? document.body;
  const passed = fireEvent.keyDown(target, { key: k, code: /^\d$/.test(k) ? `Digit${k}` : k, ...more });
  if (passed && k.length === 1 && target instanceof HTMLInputElement) {
    const end = target.value.length;
    target.setRangeText(k, target.selectionStart ?? end, target.selectionEnd ?? end, "end");
    target.dispatchEvent(new InputEvent("input", { data: k, inputType: "insertText", bubbles: true }));
  }
}

/** A wedge scanner: every key back to back (a few microseconds apart here), then Enter. */
function scan(code: string): void {
  for (const c of code) key(c);
  key("Enter");
}

async function typeInto(testid: string, value: string): Promise<void> {
  fireEvent.input(id(testid), { target: { value } });
  const raws = () => [...argsOf("check_bill"), ...argsOf("check_amount")].map((a) => a.raw);
  await waitFor(() => expect(raws()).toContain(value));
}

/** The cashier's Enter in the amount field: the checkout then waits for the scan, no field focused. */
async function confirmAmount(): Promise<void> {
  id("amount-input").focus();
  fireEvent.keyDown(id("amount-input"), { key: "Enter", code: "Enter" });
  await waitFor(() => expect(id("scan-prompt").className).toContain("scan-armed"));
  expect(document.activeElement).not.toBe(id("amount-input"));
}

describe("login", () => {
  it("shows the sandbox banner and hint, refuses a wrong password next to the field", async () => {
    render(<App store={new Store()} />);
    await wait("login-operator");
    expect(id("sandbox-banner").textContent).toContain("SANDBOX");
    expect(id("login-hint").textContent).toContain("123456");
    fireEvent.input(id("login-operator"), { target: { value: "cashier" } });
    fireEvent.input(id("login-password"), { target: { value: "nope" } });
    submitLogin();
    // Tour V5 refuses the login; core says so in its own words (no field: the back office does not say which).
    await wait("login-error");
    expect((id("login-password") as HTMLInputElement).value).toBe(""); // the password is not kept
  });
});

describe("checkout", () => {
  it("shows core's message next to the amount as typed and keeps QR keys off until valid", async () => {
    await loggedIn();
    await typeInto("bill-input", "B1");
    await typeInto("amount-input", "12.345");
    await waitFor(() => expect(id("amount-error").textContent).toContain("两位小数"));
    expect((id("qr-choice-wechat_qr") as HTMLButtonElement).disabled).toBe(true);
    await typeInto("amount-input", "12.34");
    await waitFor(() => expect((id("qr-choice-wechat_qr") as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByTestId("amount-error")).toBeNull();
  });

  it("takes a wedge scan anywhere, never into the field, and ends paid", async () => {
    await loggedIn();
    await typeInto("bill-input", "B2");
    await typeInto("amount-input", "8.80");
    await confirmAmount();
    scan("134520273825387649");
    await wait("paid-band");
    expect(argsOf("start_barcode")).toEqual([{ bill: "B2", amount: "8.80", code: "134520273825387649" }]);
    expect(id("state-label").textContent).toBe("支付成功");
    expect(id("amount").textContent).toBe("¥8.80");
    expect(id("code-masked").textContent).toBe("1345 **** **** 7649");
    // Next customer: Enter.
    key("Enter");
    await wait("bill-input");
    expect((id("bill-input") as HTMLInputElement).value).toBe("");
  });

  it("the same bill cannot be charged twice: core's refusal is on the notice line", async () => {
    await loggedIn();
    await typeInto("bill-input", "B7");
    await typeInto("amount-input", "1");
    await confirmAmount();
    scan("134520273825387649");
    await wait("paid-band");
    key("Enter");
    await wait("bill-input");
    await typeInto("bill-input", "B7");
    await typeInto("amount-input", "1");
    await confirmAmount();
    scan("134520273825387649");
    await waitFor(() => expect(id("notice").textContent).toContain("已付清"));
    expect(sent("start_barcode")).toBe(2);
    expect(screen.queryByTestId("paid-band")).toBeNull();
  });

  it("refuses a scan before the amount, as a line instead of dropping it", async () => {
    await loggedIn();
    await typeInto("bill-input", "B3");
    id("amount-input").focus();
    scan("134520273825387649");
    await waitFor(() => expect(id("scan-error").textContent).toContain("金额"));
    expect(sent("start_barcode")).toBe(0);
  });

  it("a customer's code scanned into the bill field is the payment scan, never the bill", async () => {
    await loggedIn();
    // Scanned before anything is typed: refused as a scan, the bill field left empty.
    id("bill-input").focus();
    scan("134520273825387649");
    await waitFor(() => expect(id("scan-error").textContent).toContain("金额"));
    expect((id("bill-input") as HTMLInputElement).value).toBe("");
    // A bill ticket's barcode in the same field is the bill.
    id("bill-input").focus();
    scan("20261130000042");
    await waitFor(() => expect((id("bill-input") as HTMLInputElement).value).toBe("20261130000042"));
    // Bill and amount in, the focus back in the bill field: the code pays that bill.
    await typeInto("amount-input", "3");
    id("bill-input").focus();
    scan("134520273825387649");
    await wait("paid-band");
    expect(argsOf("start_barcode")).toEqual([{ bill: "20261130000042", amount: "3", code: "134520273825387649" }]);
  });

  it("a short burst with no field focused is a bill ticket's number", async () => {
    await loggedIn();
    (document.activeElement as HTMLElement | null)?.blur();
    scan("1345");
    await waitFor(() => expect((id("bill-input") as HTMLInputElement).value).toBe("1345"));
    expect(id("scan-line").textContent).toContain("单号");
  });

  it("a fast cashier's amount and Enter: the payment is for exactly what was typed", async () => {
    await loggedIn();
    await typeInto("bill-input", "B9");
    id("amount-input").focus();
    // Keys stamped back to back, as a busy page receives a practised cashier's typing.
    for (const c of "12.34") key(c);
    key("Enter");
    await waitFor(() => expect(id("scan-prompt").className).toContain("scan-armed"));
    expect((id("amount-input") as HTMLInputElement).value).toBe("12.34");
    scan("134520273825387649");
    await wait("paid-band");
    expect(argsOf("start_barcode")).toEqual([{ bill: "B9", amount: "12.34", code: "134520273825387649" }]);
  });

  it("an Enter pressed before core answers for the last digit still arms the checkout", async () => {
    await loggedIn();
    await typeInto("bill-input", "B4");
    fireEvent.input(id("amount-input"), { target: { value: "20" } });
    fireEvent.keyDown(id("amount-input"), { key: "Enter", code: "Enter" }); // no wait for the check
    await waitFor(() => expect(id("scan-prompt").className).toContain("scan-armed"));
  });
});

describe("outcomes", () => {
  it("Unknown is amber with its own words; F5 queries again and ends paid", async () => {
    await loggedIn();
    await typeInto("bill-input", "B5");
    await typeInto("amount-input", "88");
    await confirmAmount();
    // The sandbox charges the code but garbles its answer, then answers every query with HTTP 500: the till
    // cannot know.
    await sandboxPost(`${sandbox}_sandbox/faults`, { endpoint: "*", kind: "malformed_json", count: 1 });
    await sandboxPost(`${sandbox}_sandbox/faults`, { endpoint: "*", kind: "http500", count: 1000 });
    scan("134520273825387649");
    await wait("unknown-band", 10000);
    expect(screen.queryByTestId("failed-band")).toBeNull();
    expect(id("state-label").textContent).toBe("结果未知：请勿重复收款");
    expect(id("query-again-button").textContent).toContain("F5");
    // The lost answer's technical reason is small print for the manager, not the cashier's words.
    expect(id("reason").className).toBe("reason-detail");
    expect(id("reason").textContent).toMatch(/^供主管查看：/);
    await sandboxDelete(`${sandbox}_sandbox/faults`);
    key("F5");
    await wait("paid-band", 6000);
    expect(sent("query_again")).toBe(1);
  }, 25000);

  it("a QR: F1 shows it with a countdown, Esc cancels", async () => {
    await loggedIn();
    await typeInto("bill-input", "B6");
    await typeInto("amount-input", "30");
    key("F1");
    await waitFor(() => expect(id("qr-image").querySelector("svg")).not.toBeNull(), { timeout: 4000 });
    expect(id("countdown").textContent).toMatch(/^\d\d:\d\d$/);
    key("Escape");
    await wait("neutral-band");
    // Core's one sentence says until when the code may still be paid; the screen adds no time of its own.
    expect(id("say").textContent).toMatch(/\d\d:\d\d/);
    expect(screen.queryByTestId("payable-until")).toBeNull();
    expect(sent("cancel")).toBe(1);
  });
});

describe("settings", () => {
  it("F10 opens them; the Cloud Pay key is write-only; the scanner ports come from serial_ports", async () => {
    await loggedIn();
    key("F10");
    await wait("settings-till");
    // The machine's own serial ports (core's serial_ports), after "no serial scanner".
    const ports = await bridgeTransport().run({ serial_ports: {} });
    await waitFor(() => expect(id("settings-scanner-port").querySelectorAll("option").length).toBe((ports as string[]).length + 1));
    const keyField = id("settings-cloudpay-key") as HTMLInputElement;
    expect(keyField.value).toBe("");
    expect(keyField.type).toBe("password");
    fireEvent.input(keyField, { target: { value: "s3cret" } });
    fireEvent.click(id("settings-save"));
    // Saving needs a manager's PIN: the sandbox's demo manager, the only one, chosen already on the pad.
    await wait("pin-pad");
    await waitFor(() => expect(screen.getAllByRole("option")[0]?.getAttribute("aria-selected")).toBe("true"));
    for (const d of "123456") fireEvent.keyDown(document.body, { key: d });
    fireEvent.keyDown(document.body, { key: "Enter" });
    await wait("settings-saved");
    const saved = argsOf("save_settings")[0]?.settings;
    expect(saved?.cloudpay_key).toBe("s3cret");
    // Never echoed back: the field is empty again and only says that a key is set.
    expect((id("settings-cloudpay-key") as HTMLInputElement).value).toBe("");
    expect((id("settings-cloudpay-key") as HTMLInputElement).placeholder).toContain("已设置");
    key("Escape");
    await wait("bill-input");
  });
});

describe("scans under an overlay", () => {
  it("a scan while the settings (F10) are open is never read; closed again, the same scan pays", async () => {
    await loggedIn();
    await typeInto("bill-input", "B11");
    await typeInto("amount-input", "2.20");
    await confirmAmount();
    key("F10");
    await wait("settings-till");
    (document.activeElement as HTMLElement | null)?.blur();
    scan("134520273825387649");
    // Longer than the wedge's end-of-burst wait: a scan taken would have been sent by now.
    await new Promise((r) => setTimeout(r, 1000));
    expect(sent("start_barcode")).toBe(0);
    expect(screen.queryByTestId("scan-error")).toBeNull();
    // Keys as fast as a scanner's into a field of the settings stay that field's.
    const till = id("settings-till") as HTMLInputElement;
    fireEvent.input(till, { target: { value: "" } });
    till.focus();
    for (const c of "0042") key(c);
    expect(till.value).toBe("0042");
    key("Escape");
    await wait("bill-input");
    // Nothing was read under the overlay, not even to be refused.
    expect(screen.queryByTestId("scan-line")).toBeNull();
    expect(screen.queryByTestId("scan-error")).toBeNull();
    expect((id("bill-input") as HTMLInputElement).value).toBe("B11");
    expect((id("amount-input") as HTMLInputElement).value).toBe("2.20");
    // The detector is back: the test above would not notice a detector that never reads.
    await confirmAmount();
    scan("134520273825387649");
    await wait("paid-band");
    expect(argsOf("start_barcode")).toEqual([{ bill: "B11", amount: "2.20", code: "134520273825387649" }]);
  });
});

describe("language", () => {
  it("switches to English through core and back", async () => {
    await loggedIn();
    fireEvent.click(id("lang-switch"));
    await waitFor(() => expect(screen.getByText("Amount")).toBeTruthy());
    expect(argsOf("set_lang")).toEqual([{ lang: "en" }]);
    expect(id("sandbox-banner").textContent).toContain("no real money");
    fireEvent.click(id("lang-switch"));
    await waitFor(() => expect(screen.getByText("金额")).toBeTruthy());
  });
});

describe("start-up", () => {
  it("shows why the Till cannot be reached instead of a blank screen, and connects when it can", async () => {
    const bridge = bridgeTransport();
    bridges.push(bridge);
    let down = true;
    setTransport({
      run: (command) => (down && "status" in command ? Promise.reject(new Error("IPC not ready")) : bridge.run(command)),
      listen: (h) => bridge.listen(h),
    });
    const store = new Store();
    render(<App store={store} />);
    await wait("fatal");
    expect(id("fatal").textContent).toContain("IPC not ready");
    down = false;
    await wait("login-operator", 6000);
  }, 10000);
});
