// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { AttemptView } from "./AttemptView";
import type { ScannerStatus } from "./ScannerStatus";
import type { ScanView } from "./ScanView";
import type { TillStatus } from "./TillStatus";

export type TillEvent =
  | { kind: "attempt"; attempt: AttemptView }
  | { kind: "scan"; scan: ScanView }
  | { kind: "scanner"; scanner: ScannerStatus }
  | { kind: "status"; status: TillStatus };
