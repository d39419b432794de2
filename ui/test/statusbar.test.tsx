// The status bar's backends in core's words against the real Till: before the login the back office is
// "未检查" in the colour of a fault (nothing has vouched for it yet), after it "正常".
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import { App } from "../src/App";
import { Store } from "../src/store";
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
