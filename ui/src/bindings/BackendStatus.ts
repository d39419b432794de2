// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
export type BackendStatus = {
  name: "tourv5" | "cloudpay";
  label: string;
  configured: boolean;
  reachable: boolean | null;
  message: string | null;
};
