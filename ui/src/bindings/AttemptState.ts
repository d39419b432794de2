// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type AttemptState =
  | "sending"
  | "pending"
  | "issuing"
  | "shown"
  | "paid"
  | "partly_paid"
  | "failed"
  | "cancelled"
  | "expired"
  | "abandoned"
  | "unknown"
  | "refunded"
  | "part_refunded";
