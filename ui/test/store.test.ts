// The store against a hand-driven transport: events are idempotent snapshots (the newest wins), and
// as-typed checks answered out of order never leave a stale verdict on the field.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { setTransport } from "../src/api";
import type { AttemptView, Command, InputCheck, TillEvent, TillStatus } from "../src/bindings";
import { Store } from "../src/store";

/** A command's name and arguments: `{ check_amount: { raw } }` → ["check_amount", { raw }]. */
function parts(command: Command): [string, Record<string, unknown>] {
  const [entry] = Object.entries(command) as [string, Record<string, unknown>][];
  if (!entry) throw new Error("an empty command");
  return entry;
}

let emit: (e: TillEvent) => void = () => undefined;
let pendingChecks: { raw: string; answer: (c: InputCheck) => void }[] = [];

const status = { logged_in: false, lang: "zh-CN" } as TillStatus;

function attempt(id: number, state: AttemptView["state"], updated: string): AttemptView {
  return { id, state, updated_at: updated, actions: [], live: state !== "paid" } as unknown as AttemptView;
}

beforeEach(() => {
  pendingChecks = [];
  setTransport({
    run: (command) => {
      const [cmd, args] = parts(command);
      if (cmd === "status") return Promise.resolve(status);
      if (cmd === "check_amount") {
        return new Promise((answer) => pendingChecks.push({ raw: String(args.raw), answer }));
      }
      return Promise.reject(new Error(`unexpected ${cmd}`));
    },
    listen: (h) => {
      emit = h;
      return Promise.resolve(() => undefined);
    },
  });
});

describe("store", () => {
  it("keeps the newest snapshot of an attempt when events come twice or out of order", async () => {
    const store = new Store();
    await store.start(() => undefined);
    emit({ kind: "attempt", attempt: attempt(7, "pending", "2026-11-30T10:00:02Z") });
    emit({ kind: "attempt", attempt: attempt(7, "paid", "2026-11-30T10:00:05Z") });
    emit({ kind: "attempt", attempt: attempt(7, "pending", "2026-11-30T10:00:03Z") }); // a late re-send
    expect(store.state.attempts.get(7)?.view.state).toBe("paid");
  });

  it("says paid in the background for an attempt not on screen", async () => {
    const store = new Store();
    await store.start(() => undefined);
    emit({ kind: "attempt", attempt: attempt(3, "abandoned", "2026-11-30T10:00:00Z") });
    emit({ kind: "attempt", attempt: attempt(3, "paid", "2026-11-30T10:01:00Z") });
    expect(store.state.background?.id).toBe(3);
  });

  it("never takes an old answer for the text in the field now", async () => {
    const store = new Store();
    await store.start(() => undefined);
    void store.typeAmount("12.345");
    void store.typeAmount("12.34");
    await vi.waitFor(() => expect(pendingChecks).toHaveLength(2));
    const [first, second] = pendingChecks;
    second?.answer({ ok: true, value: "1234", text: "¥12.34", error: null, payment_code: false });
    first?.answer({
      ok: false,
      value: null,
      text: null,
      error: { kind: "input", code: "invalid_amount", message: "two decimals", field: "amount" },
      payment_code: false,
    });
    await store.checked();
    expect(store.state.amount.check?.ok).toBe(true);
    expect(store.state.amount.checked).toBe("12.34");
  });

  it("asks before closing and calls close_anyway only when the cashier confirms", async () => {
    const calls: string[] = [];
    setTransport({
      run: (command) => {
        const [cmd] = parts(command);
        calls.push(cmd);
        return Promise.resolve(cmd === "status" ? status : null);
      },
      listen: () => Promise.resolve(() => undefined),
    });
    const store = new Store();
    await store.start(() => undefined);
    store.state.closeAsked = true;
    store.keepOpen();
    expect(store.state.closeAsked).toBe(false);
    expect(calls).not.toContain("close_anyway");
    await store.closeAnyway();
    expect(calls).toContain("close_anyway");
    expect(store.state.closeAsked).toBe(false);
  });

  it("puts an attempt paid before its start was answered on screen, not in the background", async () => {
    let paidChimes = 0;
    setTransport({
      run: (command) => {
        const [cmd, args] = parts(command);
        if (cmd === "status") return Promise.resolve({ ...status, logged_in: true });
        if (cmd === "attempts") return Promise.resolve([]);
        if (cmd === "start_scanned") {
          // The flow's events arrive before the command's own answer.
          emit({ kind: "attempt", attempt: attempt(9, "sending", "2026-11-30T10:00:00Z") });
          emit({ kind: "attempt", attempt: attempt(9, "paid", "2026-11-30T10:00:01Z") });
          return Promise.resolve(attempt(9, "sending", "2026-11-30T10:00:00Z"));
        }
        return Promise.reject(new Error(`unexpected ${cmd} ${JSON.stringify(args)}`));
      },
      listen: (h) => {
        emit = h;
        return Promise.resolve(() => undefined);
      },
    });
    const store = new Store();
    await store.start(() => paidChimes++);
    await store.payWithSerial(41);
    expect(store.state.currentId).toBe(9);
    expect(store.state.background).toBeNull();
    expect(store.current()?.view.state).toBe("paid");
    expect(paidChimes).toBe(1);
  });
});
