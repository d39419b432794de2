// The screens driven through the fake Till in happy-dom: what the cashier types and sees, and the order of
// calls behind it. (The real app is tested end to end against the Rust sandbox in the repository's tests/.)
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport, type TillTransport } from "../src/api";
import { App } from "../src/App";
import { fakeTill } from "../src/dev/fakeTill";
import { Store } from "../src/store";

type Call = { cmd: string; args: Record<string, unknown> };

let calls: Call[];
let fakes: { close(): void }[] = [];

beforeEach(() => {
  // Keys here are stamped when dispatched, so a busy machine could stretch a synthetic scan: a wide gap
  // keeps these screen tests about screens (the detector's timing has its own tests).
  localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 400, suffixGapMs: 600 }));
  const fake = fakeTill();
  fakes.push(fake);
  calls = [];
  const recording: TillTransport = {
    invoke: (cmd, args) => {
      calls.push({ cmd, args });
      return fake.invoke(cmd, args);
    },
    listen: (h) => fake.listen(h),
  };
  setTransport(recording);
});
afterEach(() => {
  cleanup();
  for (const f of fakes) f.close();
  fakes = [];
});

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
  await waitFor(() => expect(calls.some((c) => c.args.raw === value)).toBe(true));
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
    await wait("login-password-error");
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
    const start = calls.find((c) => c.cmd === "start_barcode");
    expect(start?.args).toEqual({ bill: "B2", amount: "8.80", code: "134520273825387649" });
    expect(id("state-label").textContent).toBe("支付成功");
    expect(id("amount").textContent).toBe("¥8.80");
    expect(id("code-masked").textContent).toBe("1345 **** **** 7649");
    // Next customer: Enter.
    key("Enter");
    await wait("bill-input");
    expect((id("bill-input") as HTMLInputElement).value).toBe("");
  });

  it("the same bill cannot be charged twice: core's refusal shows next to the bill", async () => {
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
    await waitFor(() => expect(id("bill-error").textContent).toContain("已收款"));
    expect(calls.filter((c) => c.cmd === "start_barcode")).toHaveLength(2);
    expect(screen.queryByTestId("paid-band")).toBeNull();
  });

  it("refuses a scan before the amount, as a line instead of dropping it", async () => {
    await loggedIn();
    await typeInto("bill-input", "B3");
    id("amount-input").focus();
    scan("134520273825387649");
    await waitFor(() => expect(id("scan-error").textContent).toContain("金额"));
    expect(calls.some((c) => c.cmd === "start_barcode")).toBe(false);
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
    const start = calls.find((c) => c.cmd === "start_barcode");
    expect(start?.args).toEqual({ bill: "20261130000042", amount: "3", code: "134520273825387649" });
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
    expect(calls.find((c) => c.cmd === "start_barcode")?.args).toEqual({ bill: "B9", amount: "12.34", code: "134520273825387649" });
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
    scan("134520273825387643");
    await wait("unknown-band", 6000);
    expect(screen.queryByTestId("failed-band")).toBeNull();
    expect(id("state-label").textContent).toBe("结果未知：请勿重复收款");
    expect(id("query-again-button").textContent).toContain("F5");
    // The lost answer's technical reason is small print for the manager, not the cashier's words.
    expect(id("reason").className).toBe("reason-detail");
    expect(id("reason").textContent).toMatch(/^供主管查看：/);
    key("F5");
    await wait("paid-band", 6000);
    expect(calls.filter((c) => c.cmd === "query_again")).toHaveLength(1);
  }, 15000);

  it("a QR: F1 shows it with a countdown, Esc cancels", async () => {
    await loggedIn();
    await typeInto("bill-input", "B6");
    await typeInto("amount-input", "30");
    key("F1");
    await waitFor(() => expect(id("qr-image").querySelector("svg")).not.toBeNull(), { timeout: 4000 });
    expect(id("countdown").textContent).toMatch(/0[12]:\d\d/);
    key("Escape");
    await wait("neutral-band");
    // Core's one sentence says until when the code may still be paid; the screen adds no time of its own.
    expect(id("say").textContent).toMatch(/\d\d:\d\d/);
    expect(screen.queryByTestId("payable-until")).toBeNull();
    expect(calls.map((c) => c.cmd)).toContain("cancel");
  });
});

describe("settings", () => {
  it("F10 opens them; the Cloud Pay key is write-only; the scanner port comes from serial_ports", async () => {
    await loggedIn();
    key("F10");
    await wait("settings-till");
    await waitFor(() => expect(id("settings-scanner-port").querySelectorAll("option").length).toBeGreaterThan(2));
    const keyField = id("settings-cloudpay-key") as HTMLInputElement;
    expect(keyField.value).toBe("");
    expect(keyField.type).toBe("password");
    fireEvent.change(id("settings-scanner-port"), { target: { value: "/dev/ttyACM0" } });
    fireEvent.input(keyField, { target: { value: "s3cret" } });
    fireEvent.click(id("settings-save"));
    await wait("settings-saved");
    const saved = calls.find((c) => c.cmd === "save_settings")?.args.settings as Record<string, unknown>;
    expect(saved.scanner_port).toBe("/dev/ttyACM0");
    expect(saved.cloudpay_key).toBe("s3cret");
    // Never echoed back: the field is empty again and only says that a key is set.
    expect((id("settings-cloudpay-key") as HTMLInputElement).value).toBe("");
    expect((id("settings-cloudpay-key") as HTMLInputElement).placeholder).toContain("已设置");
    key("Escape");
    await wait("bill-input");
  });
});

describe("language", () => {
  it("switches to English through core and back", async () => {
    await loggedIn();
    fireEvent.click(id("lang-switch"));
    await waitFor(() => expect(screen.getByText("Amount")).toBeTruthy());
    expect(calls.find((c) => c.cmd === "set_lang")?.args).toEqual({ lang: "en" });
    expect(id("sandbox-banner").textContent).toContain("no real money");
    fireEvent.click(id("lang-switch"));
    await waitFor(() => expect(screen.getByText("金额")).toBeTruthy());
  });
});

describe("start-up", () => {
  it("shows why the Till cannot be reached instead of a blank screen, and connects when it can", async () => {
    const fake = fakeTill();
    fakes.push(fake);
    let down = true;
    setTransport({
      invoke: (cmd, args) =>
        down && cmd === "status"
          ? Promise.reject(new Error("IPC not ready"))
          : fake.invoke(cmd, args),
      listen: (h) => fake.listen(h),
    });
    const store = new Store();
    render(<App store={store} />);
    await wait("fatal");
    expect(id("fatal").textContent).toContain("IPC not ready");
    down = false;
    await wait("login-operator", 6000);
  }, 10000);
});
