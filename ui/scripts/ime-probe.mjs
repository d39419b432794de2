// A scan while a Chinese IME is composing, in real Chromium: keydowns as the IME leaves them (keyCode 229,
// key "Process"), the digits going into a composition (compositionstart / insertCompositionText), the Enter
// committing it. Prints the order in which the page sees the events, then checks that the wedge detector
// took the scan and left the amount field as it was.
//
//   npm run build && node scripts/ime-probe.mjs
import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { chromium } from "playwright-core";

const PORT = 4174;
const CODE = "134520273825387649";
const root = new URL("..", import.meta.url).pathname;

function waitPort(port, ms) {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      const s = createConnection(port, "127.0.0.1");
      s.once("connect", () => (s.end(), resolve()));
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) reject(new Error(`port ${port} not open`));
        else setTimeout(tryOnce, 100);
      });
    };
    tryOnce();
  });
}

const preview = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, "preview", "--strictPort", "--port", String(PORT), "--host", "127.0.0.1"], {
  cwd: root,
  stdio: "ignore",
});
let failed = false;
try {
  await waitPort(PORT, 15000);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const ctx = await browser.newContext();
  // Three DevTools calls a key (keydown, composition, keyup) are slower than any scanner: widen the gap.
  await ctx.addInitScript(() => localStorage.setItem("cashier.wedge", JSON.stringify({ maxGapMs: 250, suffixGapMs: 400 })));
  const page = await ctx.newPage();
  const id = (t) => page.getByTestId(t);
  await page.goto(`http://127.0.0.1:${PORT}/index.html`);
  await id("login-operator").fill("cashier");
  await id("login-password").fill("123456");
  await id("login-password").press("Enter");
  await id("bill-input").fill("B-IME-1");
  await id("amount-input").fill("5.5");
  await id("amount-text").waitFor();
  await page.evaluate(() => {
    const log = (window.__imeLog = []);
    const field = () => document.querySelector('[data-testid="amount-input"]')?.value;
    for (const type of ["keydown", "keyup", "compositionstart", "compositionupdate", "compositionend", "beforeinput", "input"]) {
      // Registered after the app: sees what the wedge let through (it stops the keys it swallows).
      document.addEventListener(type, (e) => {
        log.push(
          `${type.padEnd(17)} key=${e.key ?? "-"} code=${e.code ?? "-"} keyCode=${e.keyCode ?? "-"} composing=${e.isComposing ?? "-"} data=${JSON.stringify(e.data ?? null)} inputType=${e.inputType ?? "-"} field=${field()}`,
        );
      }, true);
    }
  });

  const cdp = await ctx.newCDPSession(page);
  const key = (type, key, code) =>
    cdp.send("Input.dispatchKeyEvent", { type, key, code, windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229 });
  let soFar = "";
  for (const c of CODE) {
    soFar += c;
    await key("rawKeyDown", "Process", `Digit${c}`);
    await cdp.send("Input.imeSetComposition", { text: soFar, selectionStart: soFar.length, selectionEnd: soFar.length });
    await key("keyUp", c, `Digit${c}`);
  }
  await key("rawKeyDown", "Process", "Enter");
  await cdp.send("Input.insertText", { text: soFar }); // the IME commits the composition on Enter
  await key("keyUp", "Enter", "Enter");

  await page.waitForTimeout(400);
  const log = await page.evaluate(() => window.__imeLog);
  console.log(log.slice(0, 14).join("\n"));
  console.log(`… ${log.length} events in all; last ones:`);
  console.log(log.slice(-6).join("\n"));
  const screen = await page.locator(".app").getAttribute("data-screen");
  const started = await page.getByTestId("code-masked").textContent().catch(() => null);
  console.log(`screen=${screen} code on screen=${started}`);
  if (!started?.startsWith("1345")) {
    failed = true;
    console.error("ime-probe: the scan under the IME did not start a payment");
  }
  await browser.close();
} finally {
  preview.kill("SIGTERM");
}
process.exit(failed ? 1 : 0);
