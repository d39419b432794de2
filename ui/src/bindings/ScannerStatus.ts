// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type ScannerStatus = {
  state: "off" | "connecting" | "connected" | "disconnected";
  port: string | null;
  message: string | null;
};
