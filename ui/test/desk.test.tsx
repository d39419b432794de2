// The manager's desk in happy-dom against the real Till (core on the embedded sandbox, through the development
// bridge, reset to a fresh till before each test): the PIN pad, opening the desk under the demo manager, the
// receipts table asking core a page at a time, and closing the day.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import { App } from "../src/App";
import type { Command } from "../src/bindings";
import { Store } from "../src/store";
import { bridgeTransport, resetTill } from "./bridge";

let calls: Command[];
let bridges: ReturnType<typeof bridgeTransport>[] = [];
let till: ReturnType<typeof bridgeTransport>;

beforeEach(async () => {
  await resetTill();
  till = bridgeTransport();
  bridges.push(till);
  calls = [];
  setTransport({
    run: (command) => {
      calls.push(command);
      return till.run(command);
    },
    listen: (h) => till.listen(h),
  });
});
afterEach(() => {
  cleanup();
  for (const b of bridges) b.close();
  bridges = [];
});

const id = (t: string) => screen.getByTestId(t);
/** The managers on the PIN pad. */
const pinOptions = () => within(id("pin-pad")).getAllByRole("option");
const wait = (t: string, timeout = 8000) => waitFor(() => id(t), { timeout });
/** The arguments of every call of one desk command, in order. */
const argsOf = (name: string) => calls.flatMap((c) => (name in c ? [(c as Record<string, unknown>)[name]] : []));

/** The app on screen, logged in (through the login screen unless the till is logged in already). */
async function loggedIn(): Promise<void> {
  render(<App store={new Store()} />);
  await waitFor(() => expect(screen.queryByTestId("login-operator") ?? screen.queryByTestId("bill-input")).not.toBeNull(), { timeout: 8000 });
  if (screen.queryByTestId("bill-input")) return;
  fireEvent.input(id("login-operator"), { target: { value: "cashier" } });
  fireEvent.input(id("login-password"), { target: { value: "123456" } });
  const form = id("login-password").closest("form");
  if (form) fireEvent.submit(form);
  await wait("bill-input");
}

/** A key as the window sees it (the PIN pad listens on the window). */
const key = (k: string) => fireEvent.keyDown(document.body, { key: k });
function typePin(pin: string): void {
  for (const d of pin) key(d);
  key("Enter");
}

/** F12, then the demo manager's PIN: the desk is open. */
async function openDesk(): Promise<void> {
  key("F12");
  await wait("pin-pad");
  await waitFor(() => expect(pinOptions().length).toBeGreaterThan(0));
  typePin("123456");
  await wait("desk");
}

/** `n` payments paid at once by the sandbox (a code ending 7649 pays), straight through the bridge. */
async function payments(n: number): Promise<void> {
  await till.run({ login: { operator: "cashier", password: "123456" } });
  for (let i = 0; i < n; i++) {
    await till.run({ start_barcode: { bill: `D${String(i).padStart(4, "0")}`, amount: `${1 + (i % 9)}.50`, code: "134520273825387649" } });
  }
}

describe("PIN pad", () => {
  it("shows core's words for a wrong PIN, then the lock after five, with its time on the manager", async () => {
    await loggedIn();
    key("F12");
    await wait("pin-pad");
    // The demo manager, the only one, is chosen already; the PIN is masked.
    await waitFor(() => expect(pinOptions()[0]?.getAttribute("aria-selected")).toBe("true"));
    for (const d of "9999") key(d);
    expect(id("pin-dots").textContent).toBe("●●●●");
    key("Enter");
    await wait("pin-error");
    // Core's own message: how many tries are left.
    expect(id("pin-error").textContent).toMatch(/PIN/);
    expect(id("pin-dots").textContent).not.toContain("●");
    for (let i = 0; i < 4; i++) {
      const before = id("pin-error").textContent;
      typePin("9999");
      await waitFor(() => expect(id("pin-error").textContent).not.toBe(before), { timeout: 8000 });
    }
    // Locked: core's words say until when, and the manager's button shows the lock and can't be chosen.
    const managerId = pinOptions()[0]?.dataset.testid?.replace("pin-manager-", "") ?? "";
    await waitFor(() => expect(screen.getByTestId(`pin-locked-${managerId}`)).toBeTruthy(), { timeout: 8000 });
    expect((pinOptions()[0] as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId("desk")).toBeNull();
    expect(argsOf("open_desk")).toHaveLength(5);
  }, 90_000);

  it("Esc cancels it and leaves the desk closed", async () => {
    await loggedIn();
    key("F12");
    await wait("pin-pad");
    key("Escape");
    await waitFor(() => expect(screen.queryByTestId("pin-pad")).toBeNull());
    await wait("bill-input");
  });
});

describe("desk", () => {
  it("opens under the demo manager's PIN, checks the journal, and closes with Esc", async () => {
    await loggedIn();
    await openDesk();
    expect(id("desk-manager").textContent).toContain("演示主管");
    await waitFor(() => expect(argsOf("verify")).toHaveLength(1));
    expect(screen.queryByTestId("desk-broken")).toBeNull();
    key("Escape");
    await wait("bill-input");
    await waitFor(() => expect(argsOf("close_desk")).toHaveLength(1));
  }, 30_000);

  it("asks core for the receipts a page of 50 at a time, and the next page on scrolling", async () => {
    await payments(60);
    await loggedIn();
    await openDesk();
    await waitFor(() => expect(id("receipts-table").dataset.total).toBe("60"), { timeout: 8000 });
    const pages = () => argsOf("receipts_page").map((a) => (a as { query: { offset: number; limit: number } }).query);
    expect(pages()[0]).toMatchObject({ offset: 0, limit: 50 });
    expect(pages().every((q) => q.limit === 50)).toBe(true);
    await wait("receipt-0");
    // Scrolled to the end: the rows after the first 50 are asked for, never the whole day.
    const scroller = id("receipts-scroll");
    scroller.scrollTop = 60 * 46;
    fireEvent.scroll(scroller);
    await waitFor(() => expect(pages().some((q) => q.offset === 50)).toBe(true), { timeout: 8000 });
    await wait("receipt-59");
    // Totals are core's (summary), and a row opens the attempt's timeline.
    expect(id("total-count").textContent).toBe("60");
    fireEvent.click(id("receipt-59"));
    await wait("timeline");
    expect(id("timeline").querySelectorAll("li").length).toBeGreaterThan(0);
  }, 90_000);

  it("sorts by a column header through core", async () => {
    await payments(3);
    await loggedIn();
    await openDesk();
    await wait("receipt-0");
    fireEvent.click(id("sort-amount"));
    await waitFor(() => expect(argsOf("receipts_page").some((a) => (a as { query: { sort: { by: string } } }).query.sort.by === "amount")).toBe(true));
  }, 60_000);

  it("closes the day under a PIN: the Z is shown, listed, and shown again as a copy", async () => {
    await payments(2);
    await loggedIn();
    await openDesk();
    key("F3");
    await wait("x-report");
    fireEvent.click(id("take-z"));
    await wait("pin-pad");
    await waitFor(() => expect(pinOptions().length).toBeGreaterThan(0));
    typePin("123456");
    await wait("z-report", 15000);
    expect(id("closing-title").textContent).not.toBe("");
    await wait("z-copy-1");
    fireEvent.click(id("z-copy-1"));
    await wait("copy-mark");
    expect(id("copy-mark").textContent).toMatch(/副本|DUPLICATE/);
    // A second Z of the same day is refused by core, in its words, next to the day's buttons.
    fireEvent.click(id("show-x"));
    await wait("x-report");
    fireEvent.click(id("take-z"));
    await wait("pin-pad");
    await waitFor(() => expect(pinOptions().length).toBeGreaterThan(0));
    typePin("123456");
    await wait("close-error");
    expect(id("close-error").textContent).toMatch(/Z ?1/);
    expect(argsOf("z_report")).toHaveLength(2);
    expect(screen.queryByTestId("pin-pad")).toBeNull();
  }, 60_000);
});
