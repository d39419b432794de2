// Hand-written copy of the contract (docs/till-api.md); to be replaced by the ts-rs generated file.
import type { Action } from "./Action";
import type { AttemptState } from "./AttemptState";
import type { Channel } from "./Channel";
import type { Tone } from "./Tone";

export type AttemptView = {
  id: number;
  bill: string;
  order_no: string;
  channel: Channel;
  channel_label: string;
  wallet: "wechat" | "alipay" | null;
  amount_fen: number;
  amount_text: string;
  state: AttemptState;
  state_label: string;
  tone: Tone;
  say: string | null;
  reason: string | null;
  code_masked: string | null;
  code_url: string | null;
  qr_svg: string | null;
  elapsed_ms: number;
  remaining_ms: number | null;
  payable_until: string | null;
  remainder_fen: number | null;
  remainder_text: string | null;
  actions: Array<Action>;
  live: boolean;
  created_at: string;
  updated_at: string;
};
