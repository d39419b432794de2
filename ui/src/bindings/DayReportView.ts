// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { AttemptView } from "./AttemptView";

export type DayReportView = {
  day: string;
  collected_text: string;
  collected_fen: number;
  count: number;
  rows: Array<{ label: string; count: number; amount_text: string }>;
  attempts: Array<AttemptView>;
};
