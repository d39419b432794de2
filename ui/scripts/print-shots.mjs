// Screenshots of receipts on paper (issue 17): the printer on the status bar, the slip after a payment (P),
// reprint and preview in the receipts' detail, the X report as paper, the settings' printer section. The
// built UI (vite preview) in headless Chromium against the real Till on the embedded sandbox, as
// scripts/shots.mjs does, except that the printing commands are answered from test/fixtures/print-previews.json
// (and the status and settings given a printer), so the screens can be looked at on a machine without one.
// The QR code on the slip is one core drew (a QR payment's), not the order number's.
//
//   npm run build && node scripts/print-shots.mjs       → shots-out/print-*.png
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { startBridge } from "./bridge.mjs";
import { waitPort } from "./port.mjs";

const PORT = 4183;
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = new URL("..", import.meta.url).pathname;
const OUT = `${ROOT}shots-out/`;
const FIXTURES = JSON.parse(readFileSync(`${ROOT}test/fixtures/print-previews.json`, "utf8"));

async function call(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** The printer as core would say it, in the till's language: out of paper, two jobs waiting. */
const PRINTERS = {
  "zh-CN": { label: "打印机 缺纸 · 2 张待打印", message: "打印机缺纸：换上新纸卷后会自动继续打印", ready: "打印机 就绪" },
  en: { label: "Printer out of paper · 2 waiting", message: "The printer is out of paper: it goes on once a new roll is in", ready: "Printer ready" },
};
const printerIn = (lang) => ({
  configured: true,
  url: "tcp://192.168.1.50:9100",
  state: "out_of_paper",
  online: true,
  waiting: 2,
  since: "14:05",
  label: PRINTERS[lang].label,
  fault: true,
  message: PRINTERS[lang].message,
});
const JOBS = [
  { id: 1, kind: "slip", kind_label: "小票", state: "printed", state_label: "已打印", reprint: false, created_at_text: "2026-12-06 14:05:09", printed_at_text: "2026-12-06 14:05:10" },
  { id: 2, kind: "slip", kind_label: "小票", state: "waiting", state_label: "待打印", reprint: true, created_at_text: "2026-12-06 14:07:00", printed_at_text: null },
];

/** The printing commands, answered as core will; the others go to the real Till (some given a printer). */
function answers(qrSvg, lang) {
  const PRINTER = printerIn(lang);
  const withQr = (p) => ({ ...p, lines: p.lines.map((l) => (l.kind === "qr" ? { ...l, svg: qrSvg } : l)) });
  const paper = { value: "80mm" };
  return {
    fake: {
      slip_preview: () => ({ preview: withQr(paper.value === "58mm" ? FIXTURES.slip58 : FIXTURES.slip80), jobs: JOBS }),
      report_preview: () => FIXTURES.xReport,
      reprint: () => JOBS[1],
      print_report: ({ report }) => ({
        id: 3,
        kind: report.x ? "x_report" : "z_report",
        kind_label: report.x ? "X 报表" : `Z 报表 第 ${report.z.number} 号（副本）`,
        state: "waiting",
        state_label: "待打印",
        reprint: false,
        created_at_text: "2026-12-06 18:30:02",
        printed_at_text: null,
      }),
      print_test_page: () => ({ ...PRINTER, state: "ready", waiting: 0, since: null, label: PRINTERS[lang].ready, fault: false, message: null }),
    },
    patch: {
      status: (s) => ({ ...s, printer: PRINTER }),
      login: (s) => ({ ...s, printer: PRINTER }),
      set_lang: (s) => ({ ...s, printer: PRINTER }),
      settings: (v) => ({ ...v, shop: "黄山风景区 东门售票处", printer_url: "tcp://192.168.1.50:9100", printer_paper: paper.value, printer_code_page: "gbk", printer_slips: true }),
    },
    paper,
  };
}

const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function run(browser, bridge, lang, [w, h], qrSvg) {
  const tag = `${lang}-${w}`;
  await call(`${bridge}/_bridge/reset`, {});
  const ctx = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
  await ctx.addInitScript(() => localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 90, suffixGapMs: 200 })));
  // The till's status events carry its printer too: given the same one as the status replies.
  await ctx.addInitScript((printer) => {
    const Real = window.EventSource;
    window.EventSource = class extends Real {
      addEventListener(type, listener, options) {
        const patched = (m) => {
          const e = JSON.parse(m.data);
          if (e.kind === "status") e.status.printer = printer;
          listener(new window.MessageEvent(m.type, { data: JSON.stringify(e) }));
        };
        super.addEventListener(type, patched, options);
      }
    };
  }, printerIn(lang));
  const page = await ctx.newPage();
  const { fake, patch, paper } = answers(qrSvg, lang);
  if (w < 1100) paper.value = "58mm";
  await page.route("**/till", async (route) => {
    const command = route.request().postDataJSON();
    const name = Object.keys(command)[0];
    if (fake[name]) return route.fulfill({ json: { ok: fake[name](command[name]) } });
    const response = await route.fetch();
    const json = await response.json();
    if (patch[name] && "ok" in json) json.ok = patch[name](json.ok);
    return route.fulfill({ response, json });
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const shot = async (name) => {
    await settle(page);
    await page.screenshot({ path: `${OUT}print-${tag}-${name}.png` });
  };
  const id = (t) => page.getByTestId(t);

  await page.goto(`${BASE}/index.html`);
  await id("login-operator").waitFor();
  if (lang === "en") {
    await id("lang-switch").click();
    await page.getByText("Cashier login").waitFor();
  }
  await id("login-operator").fill("cashier");
  await id("login-password").fill("123456");
  await id("login-password").press("Enter");
  await id("bill-input").waitFor();
  await id("bill-input").fill("B20261206-0001");
  await id("amount-input").fill("12.34");
  await id("amount-text").waitFor();
  await id("amount-input").press("Enter");
  await page.keyboard.type("134520273825387649", { delay: 3 });
  await page.keyboard.press("Enter");
  await id("paid-band").waitFor();
  await shot("paid");
  await page.keyboard.press("p");
  await id("slip-paper").waitFor();
  await shot("slip-dialog");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Enter");
  await id("bill-input").waitFor();

  // The manager's desk: the receipts' detail with the slip, then the X report as paper.
  await page.keyboard.press("F12");
  await id("pin-pad").getByRole("option").first().waitFor();
  await page.keyboard.type("123456", { delay: 30 });
  await page.keyboard.press("Enter");
  await id("receipt-0").waitFor();
  await id("receipt-0").click();
  await id("timeline").waitFor();
  await id("detail-reprint").click();
  await id("reprint-queued").waitFor();
  await id("detail-slip").click();
  await id("slip-paper").waitFor();
  await shot("detail-slip");
  await page.keyboard.press("Escape");
  await page.keyboard.press("F3");
  await id("x-report").waitFor();
  await id("print-report").click();
  await id("report-queued").waitFor();
  await id("report-paper-toggle").click();
  await id("slip-paper").waitFor();
  await shot("dayclose-paper");
  // The day closed: its Z in the list, printed again from there.
  await id("report-paper-toggle").click();
  await id("take-z").click();
  await id("pin-pad").getByRole("option").first().waitFor();
  await page.keyboard.type("123456", { delay: 30 });
  await page.keyboard.press("Enter");
  await id("z-print-1").waitFor({ timeout: 15000 });
  await id("z-print-1").click();
  await id("report-queued").waitFor();
  await shot("dayclose-z");
  await page.keyboard.press("Escape");
  await id("bill-input").waitFor();

  // Settings: the printer section, after a test page.
  await page.keyboard.press("F10");
  await id("settings-printer").waitFor();
  await id("settings-test-page").click();
  await id("settings-test-page-said").waitFor();
  await id("settings-printer").scrollIntoViewIfNeeded();
  await shot("settings");
  if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  await ctx.close();
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const bridge = await startBridge();
  const preview = spawn(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, "preview", "--strictPort", "--port", String(PORT), "--host", "127.0.0.1"], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, CASHIER_BRIDGE_URL: bridge.url },
  });
  try {
    await waitPort(PORT, 15000);
    // A QR code as core draws it: the one of a QR payment on the sandbox.
    await call(`${bridge.url}/_bridge/reset`, {});
    await call(`${bridge.url}/till`, { login: { operator: "cashier", password: "123456" } });
    const qr = await call(`${bridge.url}/till`, { start_qr: { bill: "QR1", amount: "1.00", choice: "cloud_wechat_qr" } });
    let qrSvg = null;
    for (let i = 0; i < 50 && !qrSvg; i++) {
      await new Promise((r) => setTimeout(r, 100));
      qrSvg = (await call(`${bridge.url}/till`, { attempt: { id: qr.ok.id } })).ok?.qr_svg;
    }
    if (!qrSvg) throw new Error("the sandbox drew no QR code");
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--font-render-hinting=none"],
    });
    try {
      for (const [lang, size] of [
        ["zh-CN", [1280, 800]],
        ["en", [1280, 800]],
        ["zh-CN", [1024, 768]],
        ["en", [1024, 768]],
      ]) {
        await run(browser, bridge.url, lang, size, qrSvg);
        console.log(`print shots: ${lang} ${size.join("x")} done`);
      }
    } finally {
      await browser.close();
    }
  } finally {
    preview.kill("SIGTERM");
    bridge.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
