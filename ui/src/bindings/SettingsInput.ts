// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { SettingsView } from "./SettingsView";

export type SettingsInput = Omit<SettingsView, "cloudpay_key_set" | "config_path" | "sandbox"> & { cloudpay_key: string | null };
