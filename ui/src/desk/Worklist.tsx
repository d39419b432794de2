// What waits for a manager: Unknown, long-pending and abandoned attempts and refunds handed over for manual
// handling, each with its age and the backend's last answer; query again (one or all); resolve under a PIN.
import type { JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody, ManagerDecision, WorkItem } from "../bindings";
import { useT } from "../i18n";
import { FieldError, KeyButton } from "../ui/bits";
import { useDesk } from "./context";

export function Worklist(): JSX.Element {
  const t = useT();
  const { readFailed } = useDesk();
  const [items, setItems] = useState<WorkItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    run({ worklist: {} })
      .then(setItems)
      .catch((e: unknown) => setError(readFailed(e)));
  }, [readFailed]);
  useEffect(load, [load]);

  const queryAll = async () => {
    setBusy(true);
    setError(null);
    try {
      setItems(await run({ query_all: {} }));
    } catch (e) {
      setError(readFailed(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="worklist" data-testid="worklist">
      <div class="desk-toolbar">
        <h2>{items ? t("work.count", { n: items.length }) : t("app.loading")}</h2>
        <KeyButton testid="work-query-all" kind="primary" label={busy ? t("work.querying") : t("work.queryAll")} disabled={busy || items?.length === 0} onClick={() => void queryAll()} />
      </div>
      {error && <FieldError testid="work-error">{error}</FieldError>}
      {items?.length === 0 && <p class="empty" data-testid="work-empty">{t("work.none")}</p>}
      <ul class="work-items">
        {items?.map((w) => (
          <WorkRow key={w.attempt.id} w={w} kind={w.kind_label} onChanged={load} />
        ))}
      </ul>
    </div>
  );
}

function WorkRow({ w, kind, onChanged }: { w: WorkItem; kind: string; onChanged: () => void }): JSX.Element {
  const t = useT();
  const { ask } = useDesk();
  const a = w.attempt;
  const [note, setNote] = useState("");
  const [error, setError] = useState<ErrorBody | null>(null);

  const queryAgain = async () => {
    setError(null);
    try {
      await run({ query_again: { id: a.id } });
      onChanged();
    } catch (e) {
      setError(e as ErrorBody);
    }
  };

  const resolve = async (to: ManagerDecision) => {
    setError(null);
    const title = to === "paid" ? t("work.resolvePaid") : t("work.resolveFailed");
    const r = await ask(title, async (approval) => {
      await run({ resolve: { id: a.id, to, note: note.trim(), approval } });
    }, t("manager.explain", { amount: a.amount_text, bill: a.bill }));
    if (r === null) onChanged();
    else if (r) setError(r);
  };

  return (
    <li class={`work-item tone-${a.tone}`} data-testid={`work-${a.id}`}>
      <div class="work-head">
        <span class="tone-chip">{a.state_label}</span>
        <b class="work-kind">{kind}</b>
        <span class="work-age" data-testid={`work-age-${a.id}`}>
          {t("work.age", { age: w.age })}
        </span>
        <b class="money">{a.amount_text}</b>
      </div>
      <div class="work-facts">
        <span>{t("facts.bill")} {a.bill}</span>
        <span class="mono">{t("facts.order")} {a.order_no}</span>
        <span>{a.channel_label}</span>
        <span>{a.created_time}</span>
      </div>
      {w.last_answer !== "" && <p class="work-answer">{t("work.lastAnswer", { answer: w.last_answer })}</p>}
      <div class="work-actions">
        {a.actions.includes("query_again") && <KeyButton testid={`work-query-${a.id}`} label={t("action.queryAgain")} onClick={() => void queryAgain()} />}
        {a.actions.includes("resolve") && (
          <>
            <input class="input work-note" data-testid={`work-note-${a.id}`} placeholder={t("work.notePlaceholder")} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            <KeyButton testid={`work-paid-${a.id}`} label={t("manager.paid")} onClick={() => void resolve("paid")} />
            <KeyButton testid={`work-failed-${a.id}`} kind="danger" label={t("manager.failed")} onClick={() => void resolve("failed")} />
          </>
        )}
      </div>
      {error && <FieldError testid={`work-error-${a.id}`}>{error.message}</FieldError>}
    </li>
  );
}
