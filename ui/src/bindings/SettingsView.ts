// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { Lang } from "./Lang";

export type SettingsView = {
  till: string;
  operator: string;
  lang: Lang;
  timezone: string;
  max_amount: string;
  tourv5_url: string | null;
  cloudpay_hosts: Array<string>;
  cloudpay_prefix: string | null;
  cloudpay_key_set: boolean;
  scanner_port: string | null;
  scanner_baud: number;
  scanner_terminator: "cr" | "lf" | "crlf" | "none";
  poll_wechat_give_up_s: number;
  poll_cloud_give_up_s: number;
  poll_qr_give_up_s: number;
  config_path: string;
  sandbox: boolean;
};
