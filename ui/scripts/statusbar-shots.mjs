// The status bar with several warnings at once, in both languages at 1280 and 1024 px: before the login (both
// backends unchecked, a fault), then logged in with the serial scanner lost, the printer at fault and an Unknown
// payment. Prints each bar's height and how many lines its entries take, and keeps a screenshot of each.
//
//   npm run build && npm run shots:statusbar      → shots-out/statusbar-*.png
//
// Needs Debian's chromium, like scripts/shots.mjs.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { startBridge } from "./bridge.mjs";
import { waitPort } from "./port.mjs";

const PORT = 4175;
const BASE = `http://127.0.0.1:${PORT}`;
const OUT = new URL("../shots-out/", import.meta.url).pathname;

async function call(method, url, body) {
  const r = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

/** How many rows the bar's entries sit on, and the bar's height. */
async function measure(page) {
  return page.getByTestId("status-bar").evaluate((bar) => {
    const tops = new Set();
    for (const el of bar.querySelectorAll(".sb-item")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0) tops.add(Math.round(r.top + r.height / 2));
    }
    const rows = [...tops].sort((a, b) => a - b).filter((t, i, all) => i === 0 || t - all[i - 1] > 12);
    return { height: Math.round(bar.getBoundingClientRect().height), rows: rows.length, overflows: bar.scrollWidth > bar.clientWidth };
  });
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const bridge = await startBridge();
  const root = new URL("..", import.meta.url).pathname;
  const preview = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, "preview", "--strictPort", "--port", String(PORT), "--host", "127.0.0.1"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, CASHIER_BRIDGE_URL: bridge.url },
  });
  const till = async (command) => {
    const r = await call("POST", `${bridge.url}/till`, command);
    if (r.err) throw new Error(JSON.stringify(r.err));
    return r.ok;
  };
  try {
    await waitPort(PORT, 15000);
    const { sandbox } = await call("POST", `${bridge.url}/_bridge/reset`);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run"] });
    const shoot = async (name, lang, width) => {
      await till({ set_lang: { lang } });
      const ctx = await browser.newContext({ viewport: { width, height: width === 1280 ? 800 : 768 }, deviceScaleFactor: 1 });
      const page = await ctx.newPage();
      await page.goto(`${BASE}/index.html`);
      await page.getByTestId("status-bar").waitFor();
      await page.waitForTimeout(800);
      const m = await measure(page);
      await page.screenshot({ path: `${OUT}statusbar-${name}-${lang}-${width}.png` });
      console.log(`${name} ${lang} ${width}: ${m.rows} line(s), ${m.height} px${m.overflows ? ", OVERFLOWS" : ""}`);
      await ctx.close();
    };
    for (const lang of ["zh-CN", "en"]) for (const w of [1280, 1024]) await shoot("login", lang, w);

    // The scanner on a port that is not there, the printer writing into a folder that is not there, a barcode
    // payment given up after 5 s, then a payment whose answers are lost: Unknown.
    const demo = (await till({ managers: {} })).find((m) => m.demo);
    const view = await till({ settings: {} });
    const settings = { ...view, cloudpay_key: null, scanner_port: "/dev/ttyUSB9", printer_url: "file:/nonexistent/dir/slip.bin", poll_cloud_give_up_s: "5" };
    await till({ save_settings: { settings, approval: { manager: demo.id, pin: "123456" } } });
    await till({ print_test_page: {} }).catch(() => undefined);
    await till({ login: { operator: "cashier", password: "123456" } });
    await call("POST", `${sandbox}_sandbox/faults`, { endpoint: "*", kind: "reset", count: 1000 });
    const a = await till({ start_barcode: { bill: "SB-1", amount: "9.90", code: "134520273825387649" } });
    for (let i = 0; i < 60; i += 1) {
      if ((await till({ attempt: { id: a.id } })).state === "unknown") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await call("DELETE", `${sandbox}_sandbox/faults`);
    for (const lang of ["zh-CN", "en"]) for (const w of [1280, 1024]) await shoot("trouble", lang, w);
    await browser.close();
  } finally {
    preview.kill("SIGTERM");
    bridge.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
