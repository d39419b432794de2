// The store's day on the desk (门店 tab) as core gives it: the total, each till's row with its link in
// core's words (a till behind in the fault colour), and the attempts not ended; a refusal shown as core
// words it. The transport answers as core would; against a real PostgreSQL the command itself is tested
// in crates/open/tests/store_link.rs.
import { cleanup, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import type { Command, StoreDayView } from "../src/bindings";
import { StoreDay } from "../src/desk/StoreDay";

afterEach(cleanup);

const id = (t: string) => screen.getByTestId(t);

const DAY: StoreDayView = {
  day: "2026-12-06",
  collected_text: "¥36.90",
  count: 3,
  rows: [{ label: "微信付款码", count: 3, amount_text: "¥36.90" }],
  tills: [
    { till: "01", count: 2, collected_text: "¥24.68", link_label: "已同步 · 14:05", fault: false, closed: "Z 3", note: null },
    { till: "02", count: 1, collected_text: "¥12.22", link_label: "落后 · 13:40", fault: true, closed: null, note: "缺第 5–7 条" },
  ],
  open: [{ till: "02", order_no: "CS02X1", bill: "B-9", channel_label: "微信付款码", amount_text: "¥5.00", state_label: "结果未知：请勿重复收款" }],
};

describe("the store's day on the desk", () => {
  it("shows the total, each till and the attempts not ended, in core's words", async () => {
    const calls: Command[] = [];
    setTransport({
      run: (c) => {
        calls.push(c);
        return Promise.resolve(DAY);
      },
      listen: () => Promise.resolve(() => undefined),
    });
    render(<StoreDay />);
    await waitFor(() => id("store-day-total"));
    expect(calls).toEqual([{ store_day: { day: null } }]);
    expect(id("store-day-total").textContent).toBe("共 3 笔 · 实收 ¥36.90");
    expect(id("store-till-01").textContent).toContain("已同步 · 14:05");
    expect(id("store-till-01").textContent).toContain("Z 3");
    expect(id("store-till-01").getAttribute("data-fault")).toBe("false");
    expect(id("store-till-02").getAttribute("data-fault")).toBe("true");
    expect(id("store-till-02").textContent).toContain("未日结");
    expect(id("store-till-02").textContent).toContain("缺第 5–7 条");
    expect(id("store-day-open").textContent).toContain("结果未知：请勿重复收款");
  });

  it("shows core's refusal as given", async () => {
    setTransport({
      // core's ErrorBody, as the shell rejects with it
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      run: () => Promise.reject({ kind: "unreachable", code: "store", message: "无法连接门店数据库：…", field: null }),
      listen: () => Promise.resolve(() => undefined),
    });
    render(<StoreDay />);
    await waitFor(() => id("store-day-error"));
    expect(id("store-day-error").textContent).toContain("无法连接门店数据库");
  });
});
