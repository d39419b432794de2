// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { ErrorKind } from "./ErrorKind";
import type { Field } from "./Field";

export type ErrorBody = { kind: ErrorKind; code: string; message: string; field: Field | null };
