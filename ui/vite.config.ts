import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

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
  server: { port: 5173, strictPort: true },
  test: {
    environment: "happy-dom",
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
  },
});
