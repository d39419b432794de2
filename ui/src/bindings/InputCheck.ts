// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { ErrorBody } from "./ErrorBody";

export type InputCheck = { ok: boolean; value: string | null; text: string | null; error: ErrorBody | null };
