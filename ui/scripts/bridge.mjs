// Starts the development bridge (crates/bridge, `cashier-bridge`): the real Till on the embedded sandbox over
// HTTP and server-sent events on loopback. Used by `npm run dev`, the unit tests' global set-up and the
// screenshot script. The binary is taken from $CASHIER_BRIDGE, else the workspace's target/debug (or
// $CARGO_TARGET_DIR/debug); when it is missing it is built once with `cargo build -p cashier-bridge`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

const ROOT = new URL("../..", import.meta.url).pathname;

function binary() {
  if (process.env.CASHIER_BRIDGE) return process.env.CASHIER_BRIDGE;
  const target = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
  const exe = join(target, "debug", process.platform === "win32" ? "cashier-bridge.exe" : "cashier-bridge");
  if (!existsSync(exe)) {
    console.error("cashier-bridge: not built yet, building it (cargo build -p cashier-bridge)");
    const built = spawnSync("cargo", ["build", "-p", "cashier-bridge"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
    if (built.status !== 0) throw new Error("cargo build -p cashier-bridge failed");
  }
  return exe;
}

/** Starts a bridge; resolves to its base URL and a function that stops it. */
export function startBridge() {
  // Its stdin is a pipe from this process: when this process ends, however it ends, the bridge does too.
  const child = spawn(binary(), ["--exit-with-stdin"], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const fail = (why) => {
      child.kill("SIGTERM");
      reject(new Error(`cashier-bridge: ${why}`));
    };
    const timer = setTimeout(() => fail("did not say where it listens within 30 s"), 30000);
    child.once("error", (e) => fail(e.message));
    child.once("exit", (code) => fail(`exited (${code}) before listening`));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      if (!url) return fail(`unexpected first line: ${line}`);
      child.removeAllListeners("exit");
      lines.on("line", (l) => console.log(l));
      resolve({ url, stop: () => child.kill("SIGTERM") });
    });
  });
}
