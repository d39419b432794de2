// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type Action = "cancel" | "query_again" | "take_remainder" | "resolve" | "refund" | "next_customer";
