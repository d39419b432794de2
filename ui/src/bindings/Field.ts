// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type Field = "bill" | "amount" | "code" | "operator" | "password" | "note" | "manager" | "settings";
