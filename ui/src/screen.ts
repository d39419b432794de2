// Which screen is on show: one at a time, decided from the store's state (layout only; the states and
// their meaning come from core).
import type { State, Store } from "./store";

const PROGRESS = new Set(["sending", "pending"]);
const QR = new Set(["issuing", "shown"]);

export type Screen = "loading" | "first" | "login" | "desk" | "checkout" | "progress" | "qr" | "outcome" | "settings" | "live" | "manager";

export function screenOf(store: Store, s: State): Screen {
  if (!s.status) return "loading";
  if (s.status.needs_first_manager) return "first";
  if (!s.status.logged_in) return "login";
  const cur = store.current();
  if (s.overlay === "manager" && cur?.view.actions.includes("resolve")) return "manager";
  if (s.overlay === "desk") return "desk";
  if (s.overlay === "settings") return "settings";
  if (s.overlay === "live") return "live";
  if (!cur) return "checkout";
  if (PROGRESS.has(cur.view.state)) return "progress";
  if (QR.has(cur.view.state)) return "qr";
  return "outcome";
}
