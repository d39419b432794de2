// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type AttemptFilter = { live_only: boolean; day: string | null; search: string | null };
