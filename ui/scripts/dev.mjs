// `npm run dev`: the development bridge (the real Till on the embedded sandbox), then vite's dev server,
// which proxies /till, /events and /_bridge to it (vite.config.ts reads CASHIER_BRIDGE_URL).
import { spawn } from "node:child_process";
import { startBridge } from "./bridge.mjs";

const bridge = await startBridge();
console.log(`bridge: ${bridge.url} (the real Till on the embedded sandbox; no real money moves)`);
const root = new URL("..", import.meta.url).pathname;
const vite = spawn(process.execPath, [`${root}node_modules/vite/bin/vite.js`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CASHIER_BRIDGE_URL: bridge.url },
});
const stop = () => {
  vite.kill("SIGTERM");
  bridge.stop();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
vite.on("exit", (code) => {
  bridge.stop();
  process.exit(code ?? 0);
});
