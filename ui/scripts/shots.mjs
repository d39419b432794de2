// Screenshots of every screen, in both languages and at both till sizes, taken the way a cashier works:
// real keys into the built UI (vite preview) in headless Chromium, against the real Till on the embedded
// sandbox through the development bridge (scripts/bridge.mjs; vite proxies to it), reset for each run.
// The sandbox's scenarios (crates/sandbox/src/scenario.rs: a code's last digits) and its customer page and
// faults stand in for the customer and the network. A scan is typed at scanner speed, so the keyboard-wedge
// detector is exercised too.
//
//   npm run build && npm run shots            → shots-out/*.png
//   SHOTS_ONLY=zh-CN-1280 npm run shots       → one combination
//
// Needs Debian's chromium (apt-get install chromium fonts-noto-cjk); CHROMIUM=/path overrides.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { startBridge } from "./bridge.mjs";
import { waitPort } from "./port.mjs";

const PORT = 4173;
const BASE = `http://127.0.0.1:${PORT}`;
const OUT = new URL("../shots-out/", import.meta.url).pathname;
const SIZES = [
  [1280, 800],
  [1024, 768],
];
const LANGS = ["zh-CN", "en"];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A JSON request from this script (not the page): the bridge's commands, the sandbox's customer page and faults. */
async function call(method, url, body) {
  const r = await fetch(url, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return r.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
}

/** The QR code the customer sees now: its URL on the sandbox's customer page. */
async function shownQr(bridge) {
  const { ok: live } = await call("POST", `${bridge}/till`, { attempts: { filter: { live_only: true, day: null, search: null } } });
  const url = live.find((a) => a.state === "shown")?.code_url;
  if (!url) throw new Error("no QR code on screen");
  return url;
}

async function settle(page) {
  // Two frames: a screenshot right after a DOM change can show the previous frame.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** A wedge scanner: the whole code at ~3 ms a key, then Enter. */
async function scan(page, code) {
  await page.keyboard.type(code, { delay: 3 });
  await page.keyboard.press("Enter");
}

async function run(browser, bridge, lang, [w, h]) {
  const tag = `${lang}-${w}`;
  const { sandbox } = await call("POST", `${bridge}/_bridge/reset`);
  const fault = (f) => call("POST", `${sandbox}_sandbox/faults`, f);
  for (const f of readdirSync(OUT)) if (f.startsWith(`${tag}-`) || f.startsWith(`FAIL-${tag}`)) rmSync(`${OUT}${f}`);
  const ctx = await browser.newContext({ viewport: { width: w, height: h }, deviceScaleFactor: 1 });
  // Keys sent over the DevTools protocol arrive 10–30 ms apart, slower than a real scanner: widen the
  // wedge's gap the way a till with a slow scanner would (localStorage `cashier.wedge`).
  await ctx.addInitScript(() => localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 90, suffixGapMs: 200 })));
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  let n = 0;
  const shot = async (name) => {
    await settle(page);
    n += 1;
    await page.screenshot({ path: `${OUT}${tag}-${String(n).padStart(2, "0")}-${name}.png` });
  };
  const id = (t) => page.getByTestId(t);
  const newBill = async (bill, amount) => {
    await id("bill-input").fill(bill);
    await id("amount-input").fill(amount);
    await id("amount-input").press("Enter");
    await id("scan-prompt").and(page.locator(".scan-ready")).waitFor();
  };

  await page.goto(`${BASE}/index.html`);
  await id("login-operator").waitFor();
  if (lang === "en") {
    await id("lang-switch").click();
    await page.getByText("Cashier login").waitFor();
  }
  await shot("login");
  await id("login-operator").fill("cashier");
  await id("login-password").fill("wrong");
  await id("login-password").press("Enter");
  await id("login-error").waitFor();
  await shot("login-error");
  await id("login-password").fill("123456");
  await id("login-password").press("Enter");
  await id("bill-input").waitFor();
  await shot("checkout-empty");

  // As-typed checks: a bad amount, then a good one.
  await id("bill-input").pressSequentially("B20261130-0001", { delay: 160 });
  await id("amount-input").pressSequentially("12.345", { delay: 160 });
  await id("amount-error").waitFor();
  await shot("checkout-amount-error");
  await id("amount-input").press("Backspace");
  await id("amount-text").waitFor();
  await id("amount-input").press("Enter");
  await shot("checkout-ready");

  // Paid by a wedge scan (focus is nowhere: the amount was confirmed).
  await scan(page, "134520273825387649");
  await id("paid-band").waitFor();
  await shot("paid");
  await page.keyboard.press("Enter");
  await id("bill-input").waitFor();

  // Customer enters a password, then paid.
  await newBill("B20261130-0002", "268");
  await scan(page, "134520273825381002"); // the customer confirms about 6 s later
  await id("say").waitFor();
  await sleep(2200);
  await shot("barcode-password");
  await id("paid-band").waitFor({ timeout: 15000 });
  await page.keyboard.press("Enter");

  // A scan while the focus is still in the amount field (the first keys must be taken back out).
  await id("bill-input").fill("B20261130-0003");
  await id("amount-input").fill("5.5");
  await id("amount-text").waitFor();
  await scan(page, "134520273825382222"); // insufficient balance
  await id("failed-band").waitFor();
  await shot("failed");
  await page.keyboard.press("Enter"); // try another way: same bill and amount

  // Unknown, then query again.
  await id("bill-input").fill("B20261130-0004");
  await id("amount-input").fill("88");
  await id("amount-input").press("Enter");
  // Charged, but the answer is garbled and every query fails: nobody can know yet.
  await fault({ endpoint: "*", kind: "malformed_json", count: 1 });
  await fault({ endpoint: "*", kind: "http500", count: 1000 });
  await scan(page, "134520273825387649");
  await id("unknown-band").waitFor({ timeout: 8000 });
  await shot("unknown");
  await page.keyboard.press("F12");
  await id("manager-dialog").waitFor();
  await shot("manager");
  await page.keyboard.press("Escape");
  await id("unknown-band").waitFor();
  await call("DELETE", `${sandbox}_sandbox/faults`);
  await page.keyboard.press("F5");
  await id("paid-band").waitFor({ timeout: 8000 });
  await page.keyboard.press("Enter");

  // No "partly paid" shot: the embedded sandbox routes WeChat codes to Cloud Pay, which never pays a bill in
  // part (only the Tour V5 POS channel does; crates/core/tests covers it).
  await id("bill-input").fill("");
  await id("bill-input").pressSequentially("B20261130-0006", { delay: 160 });

  // A short burst with no field focused: core's scan rules read it as a bill ticket's number.
  await id("amount-input").fill("30");
  await id("amount-input").press("Enter");
  await page.keyboard.type("1345", { delay: 3 });
  await page.keyboard.press("Enter");
  await id("scan-line").waitFor();
  await shot("bill-scanned");

  // QR: shown, then abandoned by Esc (Tour V5 QR stays payable), then a Cloud Pay QR paid.
  await page.keyboard.press("F1");
  await id("qr-image").locator("svg").waitFor();
  const abandonedQr = await shownQr(bridge);
  const customer = await ctx.newPage();
  await customer.goto(`${BASE}/customer.html`);
  await sleep(1600);
  await shot("qr");
  await customer.screenshot({ path: `${OUT}${tag}-customer-qr.png` });
  // The customer holds up a payment code while the QR is on screen: refused, visibly, nothing charged.
  await scan(page, "134520273825387649");
  await id("scan-error").waitFor();
  await shot("qr-scan-refused");
  await page.keyboard.press("Escape");
  await id("neutral-band").waitFor();
  await shot("abandoned");
  await page.keyboard.press("Enter");
  await newBill("B20261130-0007", "45.00");
  await page.keyboard.press("F3");
  await id("qr-image").locator("svg").waitFor();
  await call("POST", await shownQr(bridge)); // the customer pays on the sandbox's page
  await id("paid-band").waitFor({ timeout: 15000 });
  await settle(customer);
  await customer.screenshot({ path: `${OUT}${tag}-customer-paid.png` });
  await shot("paid-qr");
  await page.keyboard.press("Enter");
  // The abandoned QR is paid after all: a line on top, the checkout stays.
  await id("bill-input").waitFor();
  await call("POST", abandonedQr);
  await id("background-paid").waitFor({ timeout: 60000 });
  await shot("background-paid");
  await id("background-paid").click();

  // Trouble in the status bar (backends failing), the live list, settings.
  await fault({ endpoint: "*", kind: "reset", count: 1000 });
  await newBill("B20261130-0008", "9.90");
  await scan(page, "134520273825387649");
  await id("status-live").waitFor();
  await sleep(1500);
  await shot("status-trouble");
  await call("DELETE", `${sandbox}_sandbox/faults`);
  await id("status-live").click();
  await id("live-list").waitFor();
  await sleep(300);
  await shot("live-list");
  await page.keyboard.press("Escape");
  await page.keyboard.press("F10");
  await id("settings-till").waitFor();
  await shot("settings");
  await page.keyboard.press("Escape");
  await desk(page, id, shot);
  await customer.close();
  await ctx.close();
  if (errors.length) throw new Error(`${tag}: page errors:\n${errors.join("\n")}`);
}

/** The manager's desk at closing time: the PIN pad (wrong, then right), the receipts with their chart, an
 * attempt's timeline and a refund, the worklist, X then Z and a copy, the audit trail, the managers, and a
 * manager locked by five wrong PINs. */
async function desk(page, id, shot) {
  const pin = async (digits) => {
    await id("pin-pad").waitFor();
    await id("pin-pad").getByRole("option").first().waitFor();
    await page.keyboard.type(digits, { delay: 30 });
    await page.keyboard.press("Enter");
  };
  // The status bar's entry (F12 on an Unknown on screen decides that one instead).
  await id("desk-button").click();
  await id("pin-pad").waitFor();
  await id("pin-pad").getByRole("option").first().waitFor();
  await shot("desk-pin");
  await pin("000000");
  await id("pin-error").waitFor();
  await shot("desk-pin-wrong");
  await pin("123456");
  await id("desk").waitFor();
  await id("receipt-0").waitFor();
  await sleep(500);
  await shot("desk-receipts");

  // The Unknown that F5 found paid: its whole story, then a part refunded under a PIN.
  await id("filter-search").fill("B20261130-0004");
  await page.locator('[data-testid=receipts-table][data-total="1"]').waitFor();
  await id("receipt-0").click();
  await id("timeline").waitFor();
  await shot("desk-timeline");
  if (await id("refund-amount").count()) {
    await id("refund-amount").fill("10");
    await id("refund-note").fill("顾客退回一件 / one item returned");
    await id("refund-submit").click();
    await pin("123456");
    await page.locator("[data-testid=refund-lines] li").first().waitFor({ timeout: 15000 });
    await sleep(300);
    await shot("desk-refund");
  }
  await page.keyboard.press("Escape");
  await id("attempt-detail").waitFor({ state: "detached" });

  await page.keyboard.press("F2");
  await id("worklist").waitFor();
  await sleep(300);
  await shot("desk-worklist");

  await page.keyboard.press("F3");
  await id("x-report").waitFor();
  await shot("desk-x");
  await id("take-z").click();
  await pin("123456");
  await Promise.race([id("z-report").waitFor(), id("close-error").waitFor()]);
  await sleep(300);
  await shot("desk-z");
  if (await id("z-copy-1").count()) {
    await id("z-copy-1").click();
    await id("copy-mark").waitFor();
    await shot("desk-z-copy");
  }

  await page.keyboard.press("F4");
  await id("audit-table").waitFor();
  await sleep(300);
  await shot("desk-audit");

  // A second manager, added under the demo manager's PIN, then locked by five wrong PINs.
  await page.keyboard.press("F5");
  await id("managers-table").waitFor();
  await id("manager-add").click();
  await id("mf-name").fill("李店长");
  await id("mf-pin").fill("2468");
  await id("mf-pin2").fill("2468");
  await id("mf-staff").fill("S-0107");
  await id("mf-save").click();
  await pin("123456");
  await page.getByText("李店长").first().waitFor();
  await sleep(300);
  await shot("desk-managers");
  await page.keyboard.press("Escape");
  await id("desk").waitFor({ state: "detached" });
  await id("desk-button").click();
  await id("pin-pad").waitFor();
  await id("pin-pad").getByRole("option", { name: /李店长/ }).click();
  for (let i = 0; i < 5; i++) {
    const before = (await id("pin-error").count()) ? await id("pin-error").textContent() : "";
    await page.keyboard.type("1111", { delay: 30 });
    await page.keyboard.press("Enter");
    // Core's next answer: a new message (the old one is cleared while the PIN is being checked).
    await page.waitForFunction((b) => {
      const now = document.querySelector("[data-testid=pin-error]")?.textContent ?? "";
      return now !== "" && now !== b;
    }, before);
  }
  await page.locator("[data-testid^=pin-locked-]").first().waitFor();
  await shot("desk-lock");
  await page.keyboard.press("Escape");
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const bridge = await startBridge();
  // vite itself, not through npx: killing npx would leave the server behind.
  const root = new URL("..", import.meta.url).pathname;
  const preview = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, "preview", "--strictPort", "--port", String(PORT), "--host", "127.0.0.1"], {
    cwd: root,
    stdio: "ignore",
    env: { ...process.env, CASHIER_BRIDGE_URL: bridge.url },
  });
  try {
    await waitPort(PORT, 15000);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--font-render-hinting=none",
      ],
    });
    const only = process.env.SHOTS_ONLY;
    try {
      for (const lang of LANGS) {
        for (const size of SIZES) {
          if (only && `${lang}-${size[0]}` !== only) continue;
          await run(browser, bridge.url, lang, size).catch(async (e) => {
            for (const ctx of browser.contexts()) {
              for (const [i, p] of ctx.pages().entries()) await p.screenshot({ path: `${OUT}FAIL-${lang}-${size[0]}-${i}.png` });
            }
            throw e;
          });
          console.log(`shots: ${lang} ${size.join("x")} done`);
        }
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
