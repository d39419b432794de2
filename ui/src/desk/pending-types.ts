// TEMPORARY (issue 16): the closing commands' types as the closing branch generates them, until that branch is
// merged into main. Deleted then: these types come from "../bindings" and `closingRun` becomes api.ts's `run`.
import { run } from "../api";
import type { Approval, Command, ReportRow } from "../bindings";

export type ReportKind = "X" | "Z";
export type OpenItemView = { order_no: string; amount_text: string; state_label: string };
export type OperatorView = { operator: string; count: number; collected_text: string };
export type CorrectionKind = "paid" | "refunded";
export type CorrectionView = { order_no: string; day: string; kind: CorrectionKind; what: string; amount_text: string; seq: number };
export type ClosingView = {
  kind: ReportKind;
  number: number;
  day: string;
  at_text: string;
  till: string;
  approved_by: string | null;
  first_seq: number;
  last_seq: number;
  last_seal: string;
  channels: ReportRow[];
  outcomes: ReportRow[];
  count: number;
  refunded_text: string;
  operators: OperatorView[];
  open_items: OpenItemView[];
  corrections: CorrectionView[];
  corrections_text: string;
  net_text: string;
  grand_total_text: string;
  prev_hash: string;
  hash: string;
  copy: boolean;
  copy_words: string | null;
};
export type ZSummary = { number: number; day: string; closed_at_text: string; approved_by: string | null; net_text: string; grand_total_text: string };
export type Chain = "seals" | "audit" | "z" | "rows";
export type Break = { chain: Chain; seq: number; what: string };
export type Integrity = { seals: number; audit: number; z_reports: number; first_break: Break | null };

type ClosingCommand =
  | { x_report: { day: string | null } }
  | { z_report: { day: string | null; approval: Approval } }
  | { z_reports: Record<string, never> }
  | { z_copy: { number: number } }
  | { verify: Record<string, never> };

type ClosingReplies = { x_report: ClosingView; z_report: ClosingView; z_reports: ZSummary[]; z_copy: ClosingView; verify: Integrity };

/** Runs a closing command (api.ts's `run`, typed by the closing branch's replies). */
export function closingRun<C extends ClosingCommand>(command: C): Promise<ClosingReplies[keyof C & keyof ClosingReplies]> {
  return run(command as unknown as Command);
}
