// What every tab of the desk shares: the PIN pad for an approval, and what to do when a read is refused
// because the desk closed (left alone too long: core closes it, and it is opened again under a PIN).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Approval, ErrorBody } from "../bindings";

export type DeskApi = {
  /** Shows the PIN pad; null when `act` was done, core's refusal when refused for another reason than
   * the PIN, false when cancelled. */
  ask: (title: string, act: (a: Approval) => Promise<void>, explain?: string) => Promise<ErrorBody | null | false>;
  /** A read failed: when core says the desk is closed, the desk asks for a PIN again; the message to show. */
  readFailed: (e: unknown) => string;
};

export const DeskContext = createContext<DeskApi>({
  ask: () => Promise.resolve(false),
  readFailed: (e) => (e as ErrorBody).message,
});

export function useDesk(): DeskApi {
  return useContext(DeskContext);
}
