// Vitest's global set-up: one development bridge (the real Till on the embedded sandbox) for the run; the
// screen tests reset it to a fresh till before each test (test/bridge.ts).
import type { TestProject } from "vitest/node";
import { startBridge } from "../../scripts/bridge.mjs";

declare module "vitest" {
  // Augmenting vitest's own interface needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    bridge: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const bridge = await startBridge();
  project.provide("bridge", bridge.url);
  return () => bridge.stop();
}
