// The status bar's backends in core's words against the real Till: before the login the back office is
// "未检查" in the colour of a fault (nothing has vouched for it yet), after it "正常". The store's link in
// core's words, absent when the till ships nowhere, following the status event.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import { App } from "../src/App";
import type { StoreView, TillEvent, TillStatus } from "../src/bindings";
import { Store } from "../src/store";
import { ScannerItem, StoreItem } from "../src/ui/StatusBar";
import { bridgeTransport, resetTill } from "./bridge";

let bridge: ReturnType<typeof bridgeTransport>;

beforeEach(async () => {
  await resetTill();
  bridge = bridgeTransport();
  setTransport({ run: (c) => bridge.run(c), listen: (h) => bridge.listen(h) });
});
afterEach(() => {
  cleanup();
  bridge.close();
});

const id = (t: string) => screen.getByTestId(t);

describe("the status bar's back office", () => {
  it("is unchecked and a fault before the login, and OK after it", async () => {
    render(<App store={new Store()} />);
    await waitFor(() => id("status-backend-tourv5"), { timeout: 4000 });
    const before = id("status-backend-tourv5");
    expect(before.textContent.trim()).toBe("Tour V5 后台 未检查");
    expect(before.className).toContain("sb-bad");
    expect(before.getAttribute("data-fault")).toBe("true");

    fireEvent.input(id("login-operator"), { target: { value: "cashier" } });
    fireEvent.input(id("login-password"), { target: { value: "123456" } });
    const form = id("login-password").closest("form");
    if (!form) throw new Error("the login fields are not in a form");
    fireEvent.submit(form);
    await waitFor(() => expect(id("status-backend-tourv5").textContent).toContain("正常"), { timeout: 8000 });
    expect(id("status-backend-tourv5").className).toContain("sb-ok");
    expect(id("status-backend-tourv5").getAttribute("data-fault")).toBe("false");
  });
});

describe("the scanner on the status bar", () => {
  const scanner = (over: Partial<TillStatus["scanner"]>): TillStatus["scanner"] => ({
    state: "connected",
    port: "/dev/ttyUSB0",
    message: null,
    ...over,
  });

  it("starting up it is connecting, quietly; lost and trying again it is a fault", () => {
    render(<ScannerItem scanner={scanner({ state: "connecting" })} />);
    expect(id("status-scanner").textContent.trim()).toBe("扫码枪 正在连接");
    expect(id("status-scanner").className).toContain("sb-off");
    cleanup();
    render(<ScannerItem scanner={scanner({ state: "reconnecting", message: "扫码枪 /dev/ttyUSB0 已断开" })} />);
    expect(id("status-scanner").textContent.trim()).toBe("扫码枪 已断开 · 正在重连");
    expect(id("status-scanner").className).toContain("sb-bad");
    expect(id("status-scanner").getAttribute("title")).toBe("/dev/ttyUSB0");
    cleanup();
    render(<ScannerItem scanner={scanner({})} />);
    expect(id("status-scanner").textContent.trim()).toBe("扫码枪 已连接");
    expect(id("status-scanner").className).toContain("sb-ok");
  });
});

const link = (over: Partial<StoreView>): StoreView => ({
  state: "synced",
  waiting: 0,
  since: null,
  refusal: null,
  label: "门店 已同步",
  fault: false,
  message: null,
  ...over,
});

describe("the store on the status bar", () => {
  it("is not there when the till ships nowhere", () => {
    const { container } = render(<StoreItem link={null} />);
    expect(container.innerHTML).toBe("");
  });

  it("says core's label; offline in the fault colour with a ✗, what went wrong as the tooltip", () => {
    render(<StoreItem link={link({})} />);
    expect(id("status-store").textContent.trim()).toBe("门店 已同步");
    expect(id("status-store").className).toContain("sb-ok");
    expect(id("status-store").querySelector(".icon-store")).not.toBeNull();
    cleanup();
    const said = "无法连接门店数据库（…）：收款不受影响，恢复后自动补传";
    render(<StoreItem link={link({ state: "offline", waiting: 12, since: "14:05", label: "门店 离线 自 14:05 · 12 条待传", fault: true, message: said })} />);
    const item = id("status-store");
    expect(item.textContent.trim()).toBe("门店 离线 自 14:05 · 12 条待传");
    expect(item.className).toContain("sb-bad");
    expect(item.getAttribute("data-fault")).toBe("true");
    expect(item.title).toBe(said);
    expect(item.querySelector(".icon-cross")).not.toBeNull();
  });

  it("is absent on the sandbox's till (no [store]) and follows the status event", async () => {
    const events: { emit: ((e: TillEvent) => void) | null } = { emit: null };
    setTransport({
      run: (c) => bridge.run(c),
      listen: (h) => {
        events.emit = h;
        return Promise.resolve(() => undefined);
      },
    });
    const status = (await bridge.run({ status: {} })) as TillStatus;
    expect(status.store).toBeNull();
    render(<App store={new Store()} />);
    await waitFor(() => id("status-bar"), { timeout: 4000 });
    await waitFor(() => expect(events.emit).not.toBeNull());
    expect(screen.queryByTestId("status-store")).toBeNull();
    const refused = link({ state: "refused", refusal: "schema_newer", label: "门店 拒绝：需升级本机", fault: true, message: "门店数据库比本机程序新：请先升级本机的 Cashier" });
    events.emit?.({ kind: "status", status: { ...status, store: refused } });
    await waitFor(() => id("status-store"));
    expect(id("status-store").textContent).toContain("门店 拒绝：需升级本机");
    expect(id("status-store").className).toContain("sb-bad");
  });
});
