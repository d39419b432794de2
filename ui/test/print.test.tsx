// Receipts on paper in happy-dom: the slip drawn from core's Preview (alignment, double size, the QR image,
// the cut), the printer's item on the status bar, the reprint button's call; then, against the real Till
// (the development bridge, reset before each test), the slip after a payment (P), reprint and preview in the
// receipts' detail, printing the day's reports, and the settings' printer section. Until core prints, its
// answer to a print command is its refusal, which the screens show as given: the tests accept either.
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setTransport } from "../src/api";
import { App } from "../src/App";
import type { Command, ErrorBody, Preview, PrinterView, PrintJobView, TillEvent, TillStatus } from "../src/bindings";
import { useReprint } from "../src/desk/AttemptDetailPrint";
import { SlipPaper } from "../src/print/SlipPreview";
import { Store } from "../src/store";
import { PrinterItem, StatusBar } from "../src/ui/StatusBar";
import { bridgeTransport, resetTill } from "./bridge";
import previews from "./fixtures/print-previews.json";

const SLIP80 = previews.slip80 as Preview;
const SLIP58 = previews.slip58 as Preview;

let calls: Command[];
let bridges: { close(): void }[] = [];
let till: ReturnType<typeof bridgeTransport>;

beforeEach(async () => {
  localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 400, suffixGapMs: 600 }));
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
const wait = (t: string, timeout = 8000) => waitFor(() => id(t), { timeout });
/** The arguments of every call of one command, in order. */
const argsOf = (name: string) => calls.flatMap((c) => (name in c ? [(c as Record<string, unknown>)[name]] : []));
/** A key as the window sees it. */
const key = (k: string) => fireEvent.keyDown(document.activeElement ?? document.body, { key: k, code: /^\d$/.test(k) ? `Digit${k}` : k });

const printer = (over: Partial<PrinterView>): PrinterView => ({
  configured: true,
  url: "tcp://192.168.1.50:9100",
  state: "ready",
  online: true,
  waiting: 0,
  since: null,
  label: "打印机 就绪",
  fault: false,
  message: null,
  ...over,
});

describe("the slip as paper", () => {
  it("is as wide as its columns, each line aligned, bold and double as core says, spaces kept", () => {
    render(<SlipPaper preview={SLIP80} />);
    const paper = id("slip-paper");
    expect(paper.dataset.columns).toBe("48");
    expect(paper.style.width).toContain("48ch");
    expect(paper.className).not.toContain("slip-narrow");
    const lines = within(paper).getAllByTestId("slip-line");
    const texts = SLIP80.lines.flatMap((l) => (l.kind === "text" ? [l] : []));
    expect(lines).toHaveLength(texts.length);
    texts.forEach((l, i) => {
      const el = lines[i];
      // Pairs come padded with spaces by core: the text is kept exactly, spaces and all.
      expect(el?.textContent).toBe(l.text);
      expect(el?.classList.contains(`slip-${l.align}`)).toBe(true);
      expect(el?.classList.contains("slip-bold")).toBe(l.bold);
      expect(el?.classList.contains("slip-double")).toBe(l.double);
    });
    // The amount: right, bold, double width and height.
    const amount = lines.find((el) => el.textContent === "￥12.34");
    expect(amount?.className).toMatch(/slip-right/);
    expect(amount?.className).toMatch(/slip-double/);
    expect(lines.find((el) => el.textContent === "谢谢惠顾 Thank you")?.className).toMatch(/slip-center/);
    expect(lines.some((el) => / {3,}/.test(el.textContent))).toBe(true);
  });

  it("draws the QR code core sent as an image, never as markup, and the cut last", () => {
    render(<SlipPaper preview={SLIP80} />);
    const qr = SLIP80.lines.find((l) => l.kind === "qr");
    const img = id("slip-qr") as HTMLImageElement;
    expect(img.tagName).toBe("IMG");
    const src = img.getAttribute("src") ?? "";
    expect(src.startsWith("data:image/svg+xml")).toBe(true);
    expect(decodeURIComponent(src.slice(src.indexOf(",") + 1))).toBe(qr?.kind === "qr" ? qr.svg : "");
    expect(img.alt).toBe(qr?.kind === "qr" ? qr.payload : "");
    expect(id("slip-paper").querySelector("svg")).toBeNull();
    const cut = id("slip-cut");
    expect(id("slip-paper").lastElementChild).toBe(cut);
    expect(cut.getAttribute("role")).toBe("separator");
  });

  it("58 mm paper: 32 columns, the narrow QR", () => {
    render(<SlipPaper preview={SLIP58} />);
    expect(id("slip-paper").style.width).toContain("32ch");
    expect(id("slip-paper").className).toContain("slip-narrow");
  });
});

describe("the printer on the status bar", () => {
  it("is not there when no printer is set", () => {
    const { container } = render(<PrinterItem printer={printer({ configured: false, url: null, label: "" })} />);
    expect(container.innerHTML).toBe("");
  });

  it("says core's label; a fault in the fault colour with a ✗, its message as the tooltip", () => {
    render(<PrinterItem printer={printer({ state: "out_of_paper", waiting: 2, label: "打印机 缺纸 · 2 张待打印", fault: true, message: "缺纸" })} />);
    const item = id("status-printer");
    expect(item.textContent).toContain("打印机 缺纸 · 2 张待打印");
    expect(item.className).toContain("sb-bad");
    expect(item.title).toBe("缺纸");
    expect(item.querySelector(".icon-cross")).not.toBeNull();
    cleanup();
    render(<PrinterItem printer={printer({})} />);
    expect(id("status-printer").className).not.toContain("sb-bad");
    expect(id("status-printer").querySelector(".icon-printer")).not.toBeNull();
  });

  it("is on the bar from TillStatus.printer, and follows the printer event", async () => {
    // The events the app listens to, sent from here.
    const events: { emit: ((e: TillEvent) => void) | null } = { emit: null };
    setTransport({
      run: (command) => till.run(command),
      listen: (h) => {
        events.emit = h;
        return Promise.resolve(() => undefined);
      },
    });
    const status = (await till.run({ status: {} })) as TillStatus;
    const bar = render(<StatusBar store={new Store()} status={{ ...status, printer: printer({ configured: false }) }} />);
    expect(screen.queryByTestId("status-printer")).toBeNull();
    bar.unmount();
    render(<App store={new Store()} />);
    await wait("status-bar");
    await waitFor(() => expect(events.emit).not.toBeNull());
    const said = printer({ label: "打印机 离线 自 14:05", fault: true, online: false, message: "连不上打印机" });
    events.emit?.({ kind: "printer", printer: said });
    await wait("status-printer");
    expect(id("status-printer").textContent).toContain("打印机 离线 自 14:05");
    expect(id("status-printer").className).toContain("sb-bad");
  });
});

/** The reprint button alone, on a transport that answers as core would. */
function ReprintOf({ id: attempt }: { id: number }) {
  const r = useReprint(attempt, () => undefined);
  return (
    <div>
      {r.button}
      {r.result}
    </div>
  );
}

describe("reprint", () => {
  const job: PrintJobView = {
    id: 7,
    kind: "slip",
    kind_label: "小票",
    state: "waiting",
    state_label: "待打印",
    reprint: true,
    created_at_text: "2026-12-06 14:07:00",
    printed_at_text: null,
  };

  it("asks core to reprint this payment and shows the job it queued", async () => {
    const sent: Command[] = [];
    setTransport({ run: (c) => (sent.push(c), Promise.resolve(job)), listen: () => Promise.resolve(() => undefined) });
    render(<ReprintOf id={42} />);
    fireEvent.click(id("detail-reprint"));
    await wait("reprint-queued");
    expect(sent).toEqual([{ reprint: { id: 42 } }]);
    expect(id("reprint-queued").textContent).toContain("小票");
    expect(id("reprint-queued").textContent).toContain("待打印");
    expect(id("reprint-queued").textContent).toContain("重印");
  });

  it("shows core's refusal as given", async () => {
    const refusal: ErrorBody = { kind: "not_allowed", code: "desk_refused", message: "主管台已关闭", field: null };
    // Core's refusals are ErrorBodies, as the shell rejects with them.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    setTransport({ run: () => Promise.reject(refusal), listen: () => Promise.resolve(() => undefined) });
    render(<ReprintOf id={42} />);
    fireEvent.click(id("detail-reprint"));
    await wait("reprint-error");
    expect(id("reprint-error").textContent).toContain("主管台已关闭");
  });
});

// ---------- against the real Till ----------

async function loggedIn(store = new Store()): Promise<Store> {
  render(<App store={store} />);
  await waitFor(() => expect(screen.queryByTestId("login-operator") ?? screen.queryByTestId("bill-input")).not.toBeNull(), { timeout: 8000 });
  if (screen.queryByTestId("bill-input")) return store;
  fireEvent.input(id("login-operator"), { target: { value: "cashier" } });
  fireEvent.input(id("login-password"), { target: { value: "123456" } });
  const form = id("login-password").closest("form");
  if (form) fireEvent.submit(form);
  await wait("bill-input");
  return store;
}

/** One payment paid at once by the sandbox (a code ending 7649 pays), straight through the bridge. */
async function paid(bill: string): Promise<number> {
  await till.run({ login: { operator: "cashier", password: "123456" } });
  const a = (await till.run({ start_barcode: { bill, amount: "12.34", code: "134520273825387649" } })) as { id: number };
  return a.id;
}

async function openDesk(): Promise<void> {
  key("F12");
  await wait("pin-pad");
  await waitFor(() => expect(within(id("pin-pad")).getAllByRole("option").length).toBeGreaterThan(0));
  for (const d of "123456") key(d);
  key("Enter");
  await wait("desk");
}

/** Core's answer to a print command as the screen shows it: what it did, or why not. */
const answered = (done: string, refused: string) =>
  waitFor(() => expect(screen.queryByTestId(done) ?? screen.queryByTestId(refused)).not.toBeNull(), { timeout: 8000 });

describe("after a payment", () => {
  it("P on the paid screen shows the slip as it would print; Esc closes it; the next customer is still Enter", async () => {
    const store = await loggedIn();
    // Paid through the bridge; the screen follows it as it follows the attempt the cashier started.
    const attempt = await paid("P1");
    store.show(attempt);
    await wait("paid-band");
    expect(id("slip-preview-button").textContent).toContain("P");
    // Never opened by itself.
    expect(screen.queryByTestId("slip-dialog")).toBeNull();
    key("p");
    await wait("slip-dialog");
    await waitFor(() => expect(argsOf("slip_preview")).toEqual([{ id: attempt }]));
    await answered("slip-paper", "slip-error");
    key("Escape");
    await waitFor(() => expect(screen.queryByTestId("slip-dialog")).toBeNull());
    expect(screen.queryByTestId("paid-band")).not.toBeNull();
    // The button opens it too, and the next customer takes it away.
    fireEvent.click(id("slip-preview-button"));
    await wait("slip-dialog");
    key("Enter");
    await wait("bill-input");
    expect(screen.queryByTestId("slip-dialog")).toBeNull();
  }, 30_000);
});

describe("on the desk", () => {
  it("receipts' detail: reprint asks core for this payment; the preview takes the timeline's place", async () => {
    const attempt = await paid("R1");
    await loggedIn();
    await openDesk();
    await wait("receipt-0");
    fireEvent.click(id("receipt-0"));
    await wait("timeline");
    fireEvent.click(id("detail-reprint"));
    await waitFor(() => expect(argsOf("reprint")).toEqual([{ id: attempt }]));
    await answered("reprint-queued", "reprint-error");
    fireEvent.click(id("detail-slip"));
    await wait("slip-panel");
    expect(screen.queryByTestId("timeline")).toBeNull();
    await waitFor(() => expect(argsOf("slip_preview")).toContainEqual({ id: attempt }));
    await answered("slip-paper", "slip-error");
    fireEvent.click(id("detail-slip"));
    await wait("timeline");
  }, 60_000);

  it("day close: prints the X on show, previews it, and prints a stored Z again", async () => {
    await paid("Z1");
    await loggedIn();
    await openDesk();
    key("F3");
    await wait("x-report");
    fireEvent.click(id("print-report"));
    await waitFor(() => expect(argsOf("print_report")).toHaveLength(1));
    const [asked] = argsOf("print_report") as [{ report: { x?: { day: string } } }];
    expect(asked.report.x?.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await answered("report-queued", "report-print-error");
    fireEvent.click(id("report-paper-toggle"));
    await wait("report-paper");
    await waitFor(() => expect(argsOf("report_preview")).toEqual([{ report: asked.report }]));
    fireEvent.click(id("report-paper-toggle"));
    await wait("x-report");
    // Close the day, then print its Z from the list.
    fireEvent.click(id("take-z"));
    await wait("pin-pad");
    await waitFor(() => expect(within(id("pin-pad")).getAllByRole("option").length).toBeGreaterThan(0));
    for (const d of "123456") key(d);
    key("Enter");
    await wait("z-print-1", 15000);
    fireEvent.click(id("z-print-1"));
    await waitFor(() => expect(argsOf("print_report")).toContainEqual({ report: { z: { number: 1 } } }));
  }, 60_000);
});

describe("settings", () => {
  it("offers each serial port and the other forms for the printer", async () => {
    await loggedIn();
    key("F10");
    await wait("settings-printer");
    const ports = (await till.run({ serial_ports: {} })) as string[];
    const offered = () => [...id("settings-printer-urls").querySelectorAll("option")].map((o) => o.getAttribute("value"));
    await waitFor(() => expect(offered()).toEqual([...ports.map((p) => `serial:${p}`), "usb:/dev/usb/lp0", "tcp://:9100", "file:"]));
    expect(id("settings-printer-url").getAttribute("list")).toBe("printer-urls");
    fireEvent.click(id("settings-test-page"));
    await waitFor(() => expect(argsOf("print_test_page")).toHaveLength(1));
    await answered("settings-test-page-said", "settings-test-page-error");
  }, 30_000);
});
