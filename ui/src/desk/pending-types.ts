// TEMPORARY (phase 1 of issue 16): the desk's commands and replies as planned, until core's generated
// bindings (ui/src/bindings) have them. Deleted when the core commands are merged: every import of this
// file then comes from "../bindings" and `deskRun` becomes api.ts's `run`.
import { run } from "../api";
import type { AttemptView, Channel, Command, ErrorBody, ReportRow, Tone, TillStatus } from "../bindings";

export type Approval = { manager: number; pin: string };

export type ManagerView = {
  id: number;
  name: string;
  active: boolean;
  demo: boolean;
  staff_id: string | null;
  /** While locked: until when, `HH:MM` in the business zone. */
  locked_until_time: string | null;
};

export type DeskOpened = { manager: ManagerView; idle_close_s: number };

export type AuditRowView = {
  seq: number;
  time: string;
  till: string;
  asked_by: string | null;
  approved_by: string | null;
  action_label: string;
  subject: string | null;
  result_label: string;
  tone: Tone;
  note: string | null;
  answer: string | null;
};

export type AuditPage = { total: number; rows: AuditRowView[] };

export type SortKey = "time" | "amount" | "bill" | "channel" | "outcome" | "operator";

export type ReceiptsQuery = {
  from: string | null;
  to: string | null;
  channel: Channel | null;
  outcome: string | null;
  operator: string | null;
  search: string | null;
  sort: { by: SortKey; desc: boolean };
  offset: number;
  limit: number;
};

export type ReceiptRow = {
  id: number;
  time: string;
  bill: string;
  order_no: string;
  channel_label: string;
  amount_text: string;
  state_label: string;
  tone: Tone;
  operator: string;
  code_masked: string | null;
};

export type ReceiptsPage = { total: number; offset: number; rows: ReceiptRow[] };

export type Choice = { value: string; label: string };

export type HourPoint = { hour: number; count: number; collected: string; collected_fen: number };

export type ReceiptsSummary = {
  /** The range as core read it (business days, `YYYY-MM-DD`). */
  from: string;
  to: string;
  by_channel: ReportRow[];
  by_outcome: ReportRow[];
  collected: string;
  refunded: string;
  count: number;
  hourly: HourPoint[];
  operators: string[];
  channels: Choice[];
  outcomes: Choice[];
};

export type TimelineLine = {
  time: string;
  from: string | null;
  to: string;
  tone: Tone;
  answer: string | null;
  reason: string | null;
  actor: string | null;
  note: string | null;
};

export type RefundLine = {
  time: string;
  amount_text: string;
  state_label: string;
  tone: Tone;
  note: string | null;
  approved_by: string | null;
};

export type AttemptDetail = {
  attempt: AttemptView;
  lines: TimelineLine[];
  refunds: RefundLine[];
  can_refund: boolean;
  refund_left: string | null;
  /** Where this payment is refunded instead (Tour V5: the back office), in core's words. */
  refund_where: string | null;
};

export type WorkKind = "unknown" | "long_pending" | "abandoned" | "refund_manual";

export type WorkItem = { attempt: AttemptView; kind: WorkKind; age: string; age_s: number; last_answer: string | null };

export type ClosingLine = { label: string; count: number; amount_text: string };

export type OpenAttempt = { order_no: string; bill: string; amount_text: string; state_label: string; time: string };

export type Correction = { day: string; order_no: string; what: string; amount_text: string };

export type ClosingView = {
  /** "X" or "Z 12" and the like, in core's words. */
  title: string;
  number: number | null;
  day: string;
  taken_at_time: string;
  copy: boolean;
  /** 副本 / DUPLICATE on a copy. */
  copy_mark: string | null;
  first_seq: number | null;
  last_seq: number | null;
  seal_hash: string | null;
  prev_hash: string | null;
  hash: string | null;
  count: number;
  collected: string;
  refunded: string;
  grand_total: string | null;
  by_channel: ClosingLine[];
  by_outcome: ClosingLine[];
  operators: ClosingLine[];
  open: OpenAttempt[];
  corrections: Correction[];
};

export type ZSummary = { number: number; day: string; taken_at_time: string; collected: string; grand_total: string };

export type ChainBreak = { chain: string; seq: number; what: string };

export type Integrity = { seals: number; audit: number; z_reports: number; first_break: ChainBreak | null };

export type ManagerDecision = "paid" | "failed";

/** The desk's commands as planned (crates/core/src/till/command.rs will hold them). */
export type DeskCommand =
  | { managers: Record<string, never> }
  | { create_first_manager: { name: string; pin: string; staff_id: string | null } }
  | { add_manager: { name: string; pin: string; staff_id: string | null; approval: Approval } }
  | { change_manager: { id: number; pin: string | null; staff_id: string | null; approval: Approval } }
  | { disable_manager: { id: number; approval: Approval } }
  | { open_desk: { approval: Approval } }
  | { close_desk: Record<string, never> }
  | { audit_trail: { day: string | null; offset: number; limit: number } }
  | { resolve: { id: number; to: ManagerDecision; note: string; approval: Approval } }
  | { refund: { id: number; amount: string; note: string; approval: Approval } }
  | { receipts_page: { query: ReceiptsQuery } }
  | { receipts_summary: { query: ReceiptsQuery } }
  | { attempt_detail: { id: number } }
  | { worklist: Record<string, never> }
  | { query_all: Record<string, never> }
  | { query_again: { id: number } }
  | { export_receipts: { query: ReceiptsQuery; path: string } }
  | { x_report: { day: string | null } }
  | { z_report: { day: string | null; approval: Approval } }
  | { z_reports: Record<string, never> }
  | { z_copy: { number: number } }
  | { verify: Record<string, never> };

export type DeskReplies = {
  managers: ManagerView[];
  create_first_manager: TillStatus;
  add_manager: ManagerView;
  change_manager: ManagerView;
  disable_manager: ManagerView;
  open_desk: DeskOpened;
  close_desk: null;
  audit_trail: AuditPage;
  resolve: AttemptView;
  refund: AttemptView;
  receipts_page: ReceiptsPage;
  receipts_summary: ReceiptsSummary;
  attempt_detail: AttemptDetail;
  worklist: WorkItem[];
  query_all: WorkItem[];
  query_again: AttemptView;
  export_receipts: number;
  x_report: ClosingView;
  z_report: ClosingView;
  z_reports: ZSummary[];
  z_copy: ClosingView;
  verify: Integrity;
};

/** Runs a desk command (api.ts's `run`, typed by the planned replies). */
export function deskRun<C extends DeskCommand>(command: C): Promise<DeskReplies[keyof C & keyof DeskReplies]> {
  return run(command as unknown as Command);
}

/** Whether core refused with this (planned) error code. */
export function codeIs(e: ErrorBody, code: "pin_wrong" | "manager_locked" | "desk_refused" | "closing_refused" | "journal_tampered"): boolean {
  return (e.code as string) === code;
}

/** TillStatus with the desk's field (core adds it). */
export function needsFirstManager(status: TillStatus): boolean {
  return (status as TillStatus & { needs_first_manager?: boolean }).needs_first_manager === true;
}
