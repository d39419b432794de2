import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// Outside the Tauri shell the UI talks to the development bridge (crates/bridge: the real Till on the embedded
// sandbox), which scripts/dev.mjs and scripts/shots.mjs start and name in CASHIER_BRIDGE_URL.
const bridge = process.env.CASHIER_BRIDGE_URL;
const proxy = bridge ? Object.fromEntries(["/till", "/events", "/_bridge"].map((p) => [p, { target: bridge }])) : {};

// Two pages: the cashier's window and the optional customer-facing display (客显).
// Relative base so the Tauri shell can serve ui/dist from its own protocol.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        main: resolve(import.meta.dirname, "index.html"),
        customer: resolve(import.meta.dirname, "customer.html"),
      },
    },
  },
  server: { port: 5173, strictPort: true, proxy },
  preview: { proxy },
  test: {
    environment: "happy-dom",
    // One development bridge (the real Till on the embedded sandbox) for the whole run.
    globalSetup: ["test/setup/bridge.ts"],
    // The screen tests of app.test.tsx and desk.test.tsx share that one till and reset it before each test:
    // one file at a time, or one file's reset lands in the middle of another's test.
    fileParallelism: false,
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  },
});
