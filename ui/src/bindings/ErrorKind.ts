// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type ErrorKind = "config" | "input" | "rejected" | "not_found" | "not_allowed" | "unreachable" | "no_answer" | "internal";
