// Every binding is imported through this file. The other files here are generated from the Rust
// types by ts-rs (crates/core/tests/bindings.rs): do not edit them by hand.
export type { Action } from "./Action";
export type { AttemptFilter } from "./AttemptFilter";
export type { AttemptState } from "./AttemptState";
export type { AttemptView } from "./AttemptView";
export type { BackendName } from "./BackendName";
export type { BackendStatus } from "./BackendStatus";
export type { Channel } from "./Channel";
export type { DayReportView } from "./DayReportView";
export type { ErrorBody } from "./ErrorBody";
export type { ErrorKind } from "./ErrorKind";
export type { Field } from "./Field";
export type { InputCheck } from "./InputCheck";
export type { Lang } from "./Lang";
export type { QrChoice } from "./QrChoice";
export type { QrOption } from "./QrOption";
export type { ReportRow } from "./ReportRow";
export type { ScanView } from "./ScanView";
export type { ScannerState } from "./ScannerState";
export type { ScannerStatus } from "./ScannerStatus";
export type { SettingsInput } from "./SettingsInput";
export type { SettingsView } from "./SettingsView";
export type { Terminator } from "./Terminator";
export type { TillEvent } from "./TillEvent";
export type { TillStatus } from "./TillStatus";
export type { Tone } from "./Tone";
export type { Wallet } from "./Wallet";
