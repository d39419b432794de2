// The only module that talks to the Till: core's `Command`s (generated from crates/core/src/till/command.rs)
// sent through one transport, replies typed by `CommandReplies`, and the `till` event stream. In the Tauri
// shell the transport is its one `till` command; in a plain browser (`npm run dev`, screenshots) it is the
// development bridge (crates/bridge: the real Till on the embedded sandbox) behind the page's own origin.
import type { Command, CommandReplies, ErrorBody, ErrorKind, TillEvent } from "./bindings";

/** How the UI reaches a Till: the Tauri IPC, or the bridge over HTTP and server-sent events. */
export type TillTransport = {
  run(command: Command): Promise<unknown>;
  listen(handler: (event: TillEvent) => void): Promise<() => void>;
};

const ERROR_KINDS: readonly ErrorKind[] = [
  "config",
  "input",
  "rejected",
  "not_found",
  "not_allowed",
  "unreachable",
  "no_answer",
  "internal",
];

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.kind === "string" &&
    (ERROR_KINDS as readonly string[]).includes(v.kind) &&
    typeof v.code === "string" &&
    typeof v.message === "string"
  );
}

/** Whatever a command rejected with, as an ErrorBody: the shell's own failures (a panic, a missing
 * command) arrive as plain strings and must still reach the cashier as words, not as a blank screen. */
export function toErrorBody(reason: unknown): ErrorBody {
  if (isErrorBody(reason)) return { ...reason, field: reason.field ?? null };
  const message = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : JSON.stringify(reason);
  return { kind: "internal", code: "internal", message, field: null };
}

export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function tauriTransport(): Promise<TillTransport> {
  const [{ invoke }, { listen }] = await Promise.all([import("@tauri-apps/api/core"), import("@tauri-apps/api/event")]);
  return {
    run: (command) => invoke("till", { command }),
    listen: (handler) => listen<TillEvent>("till", (e) => handler(e.payload)),
  };
}

/** A bridge's answer `{ ok: reply }` or `{ err: ErrorBody }`: the reply, or the ErrorBody thrown as Tauri
 * rejects with (run() passes it on). */
export function bridgeReply(answer: unknown): unknown {
  const a = answer as { ok: unknown } | { err: unknown };
  if ("err" in a) throw a.err;
  return a.ok;
}

/** The bridge at `base` (the page's own origin: vite proxies `/till` and `/events` to it): a command is a
 * POST of its JSON, answered `{ ok: reply }` or `{ err: ErrorBody }`; events are server-sent. */
export function bridgeTransport(base = ""): TillTransport {
  return {
    async run(command) {
      const r = await fetch(`${base}/till`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(command),
      });
      if (!r.ok) throw new Error(`the bridge answered ${r.status}: ${await r.text()}`);
      return bridgeReply(await r.json());
    },
    listen(handler) {
      const source = new EventSource(`${base}/events`);
      source.addEventListener("till", (m) => handler(JSON.parse((m as MessageEvent<string>).data) as TillEvent));
      return Promise.resolve(() => source.close());
    },
  };
}

/** What a command answers: `run({ status: {} })` resolves to a `TillStatus`. */
export type Reply<C extends Command> = CommandReplies[keyof C & keyof CommandReplies];

let transport: Promise<TillTransport> | null = null;

/** Tests may put their own transport in place before the first call. */
export function setTransport(t: TillTransport): void {
  transport = Promise.resolve(t);
}

function current(): Promise<TillTransport> {
  transport ??= inTauri() ? tauriTransport() : Promise.resolve(bridgeTransport());
  return transport;
}

/** Runs one of core's commands; rejects with an ErrorBody (the contract: docs/till-api.md). */
export async function run<C extends Command>(command: C): Promise<Reply<C>> {
  const t = await current();
  try {
    return (await t.run(command)) as Reply<C>;
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toErrorBody(e);
  }
}

/** The shell asks before the window closes while a payment is being followed (`close-requested`);
 * outside Tauri nothing ever asks. Resolves to the function that unsubscribes. */
export async function onCloseRequested(handler: () => void): Promise<() => void> {
  if (!inTauri()) return () => undefined;
  const { listen } = await import("@tauri-apps/api/event");
  return listen("close-requested", () => handler());
}

/** Subscribe to the Till's events; resolves to the function that unsubscribes. */
export async function onTillEvent(handler: (event: TillEvent) => void): Promise<() => void> {
  const t = await current();
  return t.listen(handler);
}

