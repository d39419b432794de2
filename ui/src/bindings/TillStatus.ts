// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { BackendStatus } from "./BackendStatus";
import type { Lang } from "./Lang";
import type { QrOption } from "./QrOption";
import type { ScannerStatus } from "./ScannerStatus";

export type TillStatus = {
  sandbox: boolean;
  till: string;
  operator: string;
  lang: Lang;
  logged_in: boolean;
  merchant: string | null;
  login_hint: string | null;
  backends: Array<BackendStatus>;
  scanner: ScannerStatus;
  clock_warning: string | null;
  live_count: number;
  unknown_count: number;
  qr_options: Array<QrOption>;
  max_amount_text: string;
  version: string;
};
