// What the customer display hears: core's CustomerView, and nothing else. The customer's window calls no
// command (its capability grants none): in the Tauri shell it listens to `customer` events, which the shell
// sends to it alone, and says it listens (the shell then sends it the current view). Through the development
// bridge (`npm run dev`, screenshots, tests) it reads the same views off the till's event stream, and the
// current one from the bridge.
import { inTauri, onTillEvent, type TillTransport } from "./api";
import type { CustomerView } from "./bindings";

/** Calls its handler with every view; resolves to the function that stops. */
export type CustomerFeed = (handler: (view: CustomerView) => void) => Promise<() => void>;

/** `handler`, given only views newer than the last it was given (events may cross the first view). */
export function newestOnly(handler: (view: CustomerView) => void): (view: CustomerView) => void {
  let latest = -1;
  return (view) => {
    if (view.seq <= latest) return;
    latest = view.seq;
    handler(view);
  };
}

/** The views on a till event stream, after the current one. */
export function bridgeFeed(listen: TillTransport["listen"], current: () => Promise<CustomerView | null>): CustomerFeed {
  return async (handler) => {
    const give = newestOnly(handler);
    const off = await listen((e) => {
      if (e.kind === "customer") give(e.customer);
    });
    const now = await current().catch(() => null); // the next event brings it
    if (now) give(now);
    return off;
  };
}

async function bridgeNow(): Promise<CustomerView | null> {
  const r = await fetch("/_bridge/customer");
  return r.ok ? ((await r.json()) as CustomerView) : null;
}

/** The shell's `customer` events, or the bridge's stream. */
export const customerFeed: CustomerFeed = async (handler) => {
  if (!inTauri()) return bridgeFeed(onTillEvent, bridgeNow)(handler);
  const give = newestOnly(handler);
  const { listen } = await import("@tauri-apps/api/event");
  const off = await listen<CustomerView>("customer", (e) => give(e.payload));
  // Read by the shell (src-tauri/src/customer.rs) before it sends the current view.
  Object.assign(window, { __cashierCustomerListening: true });
  return off;
};
