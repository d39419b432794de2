import type { JSX } from "preact";
import { useT } from "../i18n";
import type { Seen, Store } from "../store";
import { Icon, KeyButton, mmss, Say, Spinner, StateLabel, useNow } from "../ui/bits";
import { AttemptFacts } from "./facts";

/** A barcode payment on its way: live state, what to tell the customer, elapsed and remaining time. */
export function Progress({ store, seen }: { store: Store; seen: Seen }): JSX.Element {
  const t = useT();
  const now = useNow();
  const a = seen.view;
  const since = now - seen.at;
  const elapsed = a.elapsed_ms + since;
  const left = a.remaining_ms === null ? null : Math.max(0, a.remaining_ms - since);
  const total = left === null ? null : elapsed + left;

  return (
    <div class="progress tone-progress">
      <div class="progress-head">
        <Spinner />
        <StateLabel a={a} />
      </div>
      <Say a={a} />
      <p class="amount-huge" data-testid="amount">
        {a.amount_text}
      </p>
      <div class="timing" data-testid="timing">
        <span>
          <Icon name="clock" size={22} /> {t("progress.elapsed")} <b data-testid="elapsed">{mmss(elapsed)}</b>
        </span>
        {left !== null && (
          <span>
            {t("progress.left")} <b data-testid="remaining">{mmss(left)}</b>
          </span>
        )}
      </div>
      {total !== null && left !== null && (
        <div class="bar" aria-hidden="true">
          <div class="bar-fill" style={{ width: `${Math.max(0, Math.min(100, (left / total) * 100))}%` }} />
        </div>
      )}
      <AttemptFacts a={a} />
      {a.actions.includes("cancel") && (
        <div class="actions">
          <KeyButton testid="cancel-button" kind="secondary" label={t("action.cancel")} keyName="Esc" onClick={() => void store.cancel()} />
        </div>
      )}
    </div>
  );
}
