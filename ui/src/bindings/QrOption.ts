// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { QrChoice } from "./QrChoice";

export type QrOption = { choice: QrChoice; label: string; key: "F1" | "F2" | "F3" | "F4"; available: boolean };
