// The screen's state and every action the cashier can take. Components read the state and call these
// actions; only this module and api.ts know the order of calls to the Till.
import { onCloseRequested, onTillEvent, run } from "./api";
import type { Approval, AttemptView, ErrorBody, InputCheck, ManagerDecision, QrChoice, ScanView, TillEvent, TillStatus } from "./bindings";

/** An attempt as last heard of, with the moment it was heard (for local countdowns between events). */
export type Seen = { view: AttemptView; at: number };

/** What the cashier typed, and core's verdict on `checked` (the text as it was when asked). */
export type FieldCheck = { raw: string; check: InputCheck | null; checked: string };

/** What the scan line under the checkout shows: a scan being read, read, or refused. */
export type ScanLine = { kind: "reading" | "read" | "error"; text: string } | null;

export type Overlay = null | "settings" | "live" | "manager" | "desk";

export type State = {
  status: TillStatus | null;
  /** The Till could not be reached at all (shown instead of a blank screen). */
  fatal: ErrorBody | null;
  attempts: Map<number, Seen>;
  /** The attempt this checkout is following, if any. */
  currentId: number | null;
  bill: FieldCheck;
  amount: FieldCheck;
  /** The cashier confirmed the amount (Enter): the screen now waits for the scan. */
  armed: boolean;
  scanLine: ScanLine;
  /** A command's refusal that belongs to no field. */
  notice: ErrorBody | null;
  /** Paid in the background (an abandoned QR, a recovered attempt): a short line, not a screen. */
  background: AttemptView | null;
  overlay: Overlay;
  busy: boolean;
  /** The window was asked to close while a payment is being followed: confirm first. */
  closeAsked: boolean;
  /** The paid attempt whose slip is shown as it would print (P on the paid screen); never set by itself. */
  slip: number | null;
};

const EMPTY: FieldCheck = { raw: "", check: null, checked: "" };

/** A field's check that failed with core's `error`. */
function failedCheck(error: ErrorBody): InputCheck {
  return { ok: false, value: null, text: null, error, payment_code: false };
}

export function initialState(): State {
  return {
    status: null,
    fatal: null,
    attempts: new Map(),
    currentId: null,
    bill: EMPTY,
    amount: EMPTY,
    armed: false,
    scanLine: null,
    notice: null,
    background: null,
    overlay: null,
    busy: false,
    closeAsked: false,
    slip: null,
  };
}

type Listener = (s: State) => void;

function newer(a: AttemptView, b: AttemptView): boolean {
  const ta = Date.parse(a.updated_at);
  const tb = Date.parse(b.updated_at);
  return Number.isNaN(ta) || Number.isNaN(tb) || ta >= tb;
}

export class Store {
  state: State = initialState();
  private listeners = new Set<Listener>();
  /** Answers to as-typed checks can come back out of order: only the latest request's answer counts. */
  private seq = { bill: 0, amount: 0 };
  /** The checks still on their way, so a scan can wait for the verdict on what the field holds now. */
  private pending: { bill: Promise<unknown>; amount: Promise<unknown> } = { bill: Promise.resolve(), amount: Promise.resolve() };

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  current(): Seen | null {
    const id = this.state.currentId;
    return id === null ? null : (this.state.attempts.get(id) ?? null);
  }

  /** Connect to the Till: events, then status. Never a blank screen: a failure is shown, and the
   * connection is tried again every few seconds until it works. */
  async start(onPaid: (a: AttemptView) => void, retryMs = 3000): Promise<void> {
    this.onPaid = onPaid;
    let listening = false;
    for (;;) {
      try {
        if (!listening) {
          await onTillEvent((e) => this.event(e));
          await onCloseRequested(() => this.set({ closeAsked: true }));
          listening = true;
        }
        const status = await run({ status: {} });
        this.set({ status, fatal: null });
        if (status.logged_in) await this.recover();
        return;
      } catch (e) {
        this.set({ fatal: e as ErrorBody });
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }

  /** Called once when the attempt on screen becomes paid (the chime). */
  private onPaid: (a: AttemptView) => void = () => undefined;

  private event(e: TillEvent): void {
    switch (e.kind) {
      case "status":
        this.set({ status: e.status });
        return;
      case "scanner":
        if (this.state.status) this.set({ status: { ...this.state.status, scanner: e.scanner } });
        return;
      case "printer":
        if (this.state.status) this.set({ status: { ...this.state.status, printer: e.printer } });
        return;
      case "scan":
        this.serialScan(e.scan);
        return;
      case "attempt":
        this.remember(e.attempt);
        return;
      case "customer":
        return; // the customer display's own
    }
  }

  /** Keep the newest snapshot of an attempt; events are idempotent and may repeat. */
  private remember(view: AttemptView): void {
    const old = this.state.attempts.get(view.id);
    if (old && !newer(view, old.view)) return;
    const attempts = new Map(this.state.attempts);
    attempts.set(view.id, { view, at: performance.now() });
    const becamePaid = view.state === "paid" && old !== undefined && old.view.state !== "paid";
    const onScreen = view.id === this.state.currentId;
    // Paid elsewhere (an abandoned QR, a recovered attempt): a line on top, not a change of screen.
    this.set(becamePaid && !onScreen ? { attempts, background: view } : { attempts });
    if (becamePaid && onScreen) this.onPaid(view);
  }

  /** After start or login: an attempt left in progress (a crash, a restart) comes back on screen. */
  async recover(): Promise<void> {
    const live = await run({ attempts: { filter: { live_only: true, day: null, search: null } } });
    for (const a of live) this.remember(a);
    // The newest one that still needs the cashier (an abandoned QR is watched in the background).
    const onScreen = live
      .filter((a) => a.state !== "abandoned")
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0];
    if (onScreen && this.state.currentId === null) this.set({ currentId: onScreen.id });
  }

  private async run<T>(f: () => Promise<T>): Promise<T | null> {
    this.set({ busy: true, notice: null });
    try {
      return await f();
    } catch (e) {
      this.refused(e as ErrorBody);
      return null;
    } finally {
      this.set({ busy: false });
    }
  }

  /** A refusal goes next to its field when it has one, else on the notice line. */
  private refused(err: ErrorBody): void {
    const check = failedCheck(err);
    if (err.field === "bill") this.set({ bill: { ...this.state.bill, check, checked: this.state.bill.raw } });
    else if (err.field === "amount") this.set({ amount: { ...this.state.amount, check, checked: this.state.amount.raw } });
    else if (err.field === "code") this.scanLine({ kind: "error", text: err.message });
    else this.set({ notice: err });
  }

  async login(operator: string, password: string): Promise<ErrorBody | null> {
    try {
      const status = await run({ login: { operator, password } });
      this.set({ status, notice: null });
      await this.recover();
      return null;
    } catch (e) {
      return e as ErrorBody;
    }
  }

  async setLang(lang: TillStatus["lang"]): Promise<void> {
    const status = await this.run(() => run({ set_lang: { lang } }));
    if (status) this.set({ status });
    // Messages next to the fields came in the old language: ask again.
    if (this.state.bill.raw) void this.typeBill(this.state.bill.raw);
    if (this.state.amount.raw) void this.typeAmount(this.state.amount.raw);
  }

  async typeBill(raw: string): Promise<void> {
    const n = ++this.seq.bill;
    this.set({ bill: { ...this.state.bill, raw }, notice: null });
    const asked = run({ check_bill: { raw } }).catch((e: unknown) => failedCheck(e as ErrorBody));
    this.pending.bill = asked;
    const check = await asked;
    if (n === this.seq.bill) this.set({ bill: { raw, check, checked: raw } });
  }

  async typeAmount(raw: string): Promise<void> {
    const n = ++this.seq.amount;
    this.set({ amount: { ...this.state.amount, raw }, armed: false, notice: null });
    const asked = run({ check_amount: { raw } }).catch((e: unknown) => failedCheck(e as ErrorBody));
    this.pending.amount = asked;
    const check = await asked;
    if (n === this.seq.amount) this.set({ amount: { raw, check, checked: raw } });
  }

  /** Resolves once core has answered for what both fields hold now (a scan that arrives while the
   * amount is still being checked waits for the verdict instead of being refused). */
  async checked(): Promise<void> {
    for (;;) {
      const { bill, amount } = this.pending;
      await Promise.all([bill, amount]);
      await Promise.resolve(); // let the answers' own continuations store them
      if (bill === this.pending.bill && amount === this.pending.amount) return;
    }
  }

  /** Both fields checked and accepted by core, and no later typing since. */
  ready(): boolean {
    const { bill, amount } = this.state;
    const ok = (f: FieldCheck) => f.check?.ok === true && f.checked === f.raw;
    return ok(bill) && ok(amount);
  }

  arm(armed: boolean): void {
    this.set({ armed });
  }

  private follow(view: AttemptView | null): void {
    if (!view) return;
    // The attempt's events can outrun the answer that names it (a serial scan paid at once): one
    // taken for paid "in the background" meanwhile is this one, on screen now, with its chime.
    const early = this.state.background?.id === view.id ? this.state.background : null;
    this.set({ currentId: view.id, scanLine: null, armed: false, ...(early ? { background: null } : {}) });
    this.remember(view);
    if (early) this.onPaid(early);
  }

  async payWithCode(code: string): Promise<void> {
    const { bill, amount } = this.state;
    this.follow(await this.run(() => run({ start_barcode: { bill: bill.raw, amount: amount.raw, code } })));
  }

  async payWithQr(choice: QrChoice): Promise<void> {
    const { bill, amount } = this.state;
    this.follow(await this.run(() => run({ start_qr: { bill: bill.raw, amount: amount.raw, choice } })));
  }

  scanLine(line: ScanLine): void {
    this.set({ scanLine: line });
    // A refusal stays long enough to read, then clears itself (the cashier never has to dismiss it).
    if (line?.kind === "error") {
      setTimeout(() => {
        if (this.state.scanLine === line) this.set({ scanLine: null });
      }, 6000);
    }
  }

  private serialScan(scan: ScanView): void {
    if (scan.error !== null) {
      this.scanLine({ kind: "error", text: scan.error });
      return;
    }
    const masked = [scan.wallet_label, scan.code_masked].filter(Boolean).join(" ");
    this.set({ scanLine: { kind: "read", text: masked } });
    void this.serialHandler?.(scan);
  }

  /** Set by the app: what a serial scan means depends on the screen. */
  serialHandler: ((scan: ScanView) => Promise<void>) | null = null;

  async payWithSerial(scanId: number): Promise<void> {
    const { bill, amount } = this.state;
    this.follow(await this.run(() => run({ start_scanned: { bill: bill.raw, amount: amount.raw, scan_id: scanId } })));
  }

  async cancel(): Promise<void> {
    const cur = this.current();
    if (cur) this.follow(await this.run(() => run({ cancel: { id: cur.view.id } })));
  }

  async queryAgain(id: number): Promise<void> {
    const view = await this.run(() => run({ query_again: { id } }));
    if (view) this.remember(view);
  }

  /** A manager decides the Unknown on screen, under their PIN; rejects with core's refusal. */
  async resolve(to: ManagerDecision, note: string, approval: Approval): Promise<void> {
    const cur = this.current();
    if (!cur) return;
    this.remember(await run({ resolve: { id: cur.view.id, to, note, approval } }));
    this.set({ overlay: null });
  }

  /** Next customer: an empty checkout; the outcome stays in the journal and in the live list. */
  nextCustomer(bill = "", amount = ""): void {
    this.set({ currentId: null, bill: EMPTY, amount: EMPTY, armed: false, scanLine: null, notice: null, background: null, slip: null });
    if (bill) void this.typeBill(bill);
    if (amount) void this.typeAmount(amount);
  }

  /** Back to the same bill and amount to try another way (after failed, cancelled, expired). */
  tryAgain(): void {
    this.set({ currentId: null, armed: true, scanLine: null, notice: null });
  }

  /** Partly paid: the same bill, the amount still owed. */
  takeRemainder(): void {
    const cur = this.current();
    const remainder = cur?.view.remainder_input;
    if (!cur || remainder == null) return;
    const bill = cur.view.bill;
    this.set({ currentId: null, scanLine: null, notice: null });
    void this.typeBill(bill);
    void this.typeAmount(remainder).then(() => this.set({ armed: true }));
  }

  show(id: number): void {
    this.set({ currentId: id, overlay: null, background: null });
  }

  /** Keep the window open after all (the close question is withdrawn). */
  keepOpen(): void {
    this.set({ closeAsked: false });
  }

  /** Close although a payment is live: nothing is lost, the journal has it and the next start
   * follows it again. */
  async closeAnyway(): Promise<void> {
    this.set({ closeAsked: false });
    await this.run(() => run({ close_anyway: {} }));
  }

  open(overlay: Overlay): void {
    this.set({ overlay });
  }

  /** Shows (an attempt's id) or closes (null) the slip as it would print. */
  showSlip(id: number | null): void {
    this.set({ slip: id });
  }

  dismissBackground(): void {
    this.set({ background: null });
  }

  setStatus(status: TillStatus): void {
    this.set({ status });
  }
}
