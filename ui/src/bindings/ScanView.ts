// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type ScanView = { scan_id: number; code_masked: string | null; wallet_label: string | null; error: string | null };
