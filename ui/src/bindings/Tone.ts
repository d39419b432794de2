// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type Tone = "waiting" | "progress" | "paid" | "failed" | "unknown" | "partly" | "neutral";
