import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { run } from "../api";
import type { ErrorBody } from "../bindings";
import { useT } from "../i18n";
import type { State, Store } from "../store";
import { FieldError, KeyButton } from "../ui/bits";

/** Attempts not known to have ended (in progress, Unknown, abandoned QR still payable), newest first,
 * each with query-again. Opened from the status bar's count. */
export function LiveList({ store, state }: { store: Store; state: State }): JSX.Element {
  const t = useT();
  const [ids, setIds] = useState<number[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    run({ attempts: { filter: { live_only: true, day: null, search: null } } })
      .then((list) => setIds(list.map((a) => a.id)))
      .catch((e: unknown) => setError((e as ErrorBody).message));
  }, []);

  // Ids from the Till, contents from the latest events (a row updates in place, and stays until closed).
  const rows = (ids ?? []).flatMap((id) => {
    const seen = state.attempts.get(id);
    return seen ? [seen.view] : [];
  });

  return (
    <div class="live-list" data-testid="live-list">
      <div class="settings-head">
        <h1>{t("live.title")}</h1>
        <KeyButton testid="live-close" kind="secondary" label={t("settings.close")} keyName="Esc" onClick={() => store.open(null)} />
      </div>
      {error && (
        <FieldError>
          {error}
        </FieldError>
      )}
      {ids !== null && rows.length === 0 && <p class="empty">{t("live.none")}</p>}
      <table class="live-table">
        <tbody>
          {rows.map((a) => (
            <tr key={a.id} class={`tone-${a.tone}`} data-testid={`live-row-${a.id}`}>
              <td class="live-time">{a.created_time}</td>
              <td class="live-state">
                <span class="tone-chip">{a.state_label}</span>
                {a.payable_until_time && <small>{t("live.payableUntil", { time: a.payable_until_time })}</small>}
              </td>
              <td class="live-amount">{a.amount_text}</td>
              <td>
                <div>{a.bill}</div>
                <small>{a.channel_label}</small>
              </td>
              <td class="live-actions">
                {a.actions.includes("query_again") && (
                  <KeyButton testid={`live-query-${a.id}`} kind="secondary" label={t("action.queryAgain")} onClick={() => void store.queryAgain(a.id)} />
                )}
                <KeyButton testid={`live-open-${a.id}`} kind="quiet" label={t("live.open")} onClick={() => store.show(a.id)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
