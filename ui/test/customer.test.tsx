// The customer display (客显) page against the real Till through the development bridge: what core's
// CustomerView says is what the customer sees — the welcome under the shop's name, the QR code with the amount,
// the password prompt with the time left, paid — in both languages; and an older view never replaces a newer.
import { cleanup, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttemptView, CustomerView } from "../src/bindings";
import { CustomerDisplay } from "../src/customer";
import { bridgeFeed, type CustomerFeed } from "../src/customerFeed";
import { bridgeTransport, customerNow, customerPays, resetTill } from "./bridge";

/** Waits for the customer's password; paid about 2 × 3 s after the pay call. */
const PASSWORD = "134520273825381002";

let bridge: ReturnType<typeof bridgeTransport>;
let feed: CustomerFeed;

beforeEach(async () => {
  await resetTill();
  bridge = bridgeTransport();
  feed = bridgeFeed((h) => bridge.listen(h), customerNow);
});
afterEach(() => {
  cleanup();
  bridge.close();
});

const id = (t: string) => screen.getByTestId(t);
const shows = (t: string, text: string, timeout = 8000) => waitFor(() => expect(id(t).textContent).toContain(text), { timeout });

async function logIn(): Promise<void> {
  await bridge.run({ login: { operator: "cashier", password: "123456" } });
}

describe("the customer display", () => {
  it("welcomes in both languages under the shop's name, and never shows the cashier's controls", async () => {
    render(<CustomerDisplay feed={feed} />);
    await shows("customer-title", "欢迎光临");
    expect(id("customer-title").textContent).toContain("Welcome");
    expect(id("customer-shop").textContent).toBe((await customerNow()).shop);
    expect(id("customer-display").getAttribute("data-screen")).toBe("welcome");
    expect(document.querySelectorAll("button, input, select").length).toBe(0);
  });

  it("shows the QR code large with the amount, then paid", async () => {
    await logIn();
    render(<CustomerDisplay feed={feed} />);
    await shows("customer-title", "欢迎光临");
    const a = (await bridge.run({ start_qr: { bill: "C-QR-1", amount: "25.00", choice: "wechat_qr" } })) as AttemptView;
    await waitFor(() => expect(id("customer-qr").querySelector("svg")).not.toBeNull(), { timeout: 8000 });
    expect(id("customer-amount").textContent).toBe("¥25.00");
    expect(id("customer-title").textContent).toContain("请扫码支付");
    expect(id("customer-hint").textContent).toContain("微信");
    const live = (await bridge.run({ attempts: { filter: { live_only: true, day: null, search: null } } })) as AttemptView[];
    const url = live.find((l) => l.id === a.id)?.code_url;
    if (!url) throw new Error("no code URL");
    expect(document.body.innerHTML).not.toContain("C-QR-1");
    await customerPays(url);
    await shows("customer-title", "支付成功", 15000);
    expect(id("customer-display").getAttribute("data-screen")).toBe("paid");
    expect(id("customer-amount").textContent).toBe("¥25.00");
  }, 30000);

  it("asks for the password on the phone with the time left, then says paid", async () => {
    await logIn();
    render(<CustomerDisplay feed={feed} />);
    await shows("customer-title", "欢迎光临");
    await bridge.run({ start_barcode: { bill: "C-PW-1", amount: "8.00", code: PASSWORD } });
    await shows("customer-title", "请在手机上输入密码");
    expect(id("customer-title").textContent).toContain("password");
    expect(id("customer-time-left-value").textContent).toMatch(/^0\d:\d\d$/);
    expect(document.body.textContent).not.toContain("****");
    await shows("customer-title", "支付成功", 20000);
    expect(() => id("customer-time-left")).toThrow();
  }, 30000);

  it("keeps the newer of two views whatever order they come in", async () => {
    const base = await customerNow();
    const newer: CustomerView = { ...base, seq: 20, title: { zh: "新", en: "newer" } };
    const older: CustomerView = { ...base, seq: 10, title: { zh: "旧", en: "older" } };
    const crossed: CustomerFeed = (handler) => {
      handler(newer);
      handler(older);
      return Promise.resolve(() => undefined);
    };
    render(<CustomerDisplay feed={bridgeFeed((h) => crossed((v) => h({ kind: "customer", customer: v })), () => Promise.resolve(null))} />);
    await shows("customer-title", "newer");
    expect(id("customer-display").getAttribute("data-seq")).toBe("20");
  });
});
