import type { JSX } from "preact";
import { useT } from "../i18n";
import type { Seen, Store } from "../store";
import { KeyButton, Ring, Say, Spinner, StateLabel, useNow } from "../ui/bits";
import { AttemptFacts } from "./facts";

/** A QR the customer scans: large, the amount huge, a countdown ring, live status; Esc cancels. */
export function QrScreen({ store, seen }: { store: Store; seen: Seen }): JSX.Element {
  const t = useT();
  const now = useNow();
  const a = seen.view;
  const since = now - seen.at;
  const left = a.remaining_ms === null ? null : Math.max(0, a.remaining_ms - since);
  const total = a.remaining_ms === null ? 0 : a.elapsed_ms + a.remaining_ms;

  return (
    <div class={`qr-screen tone-${a.tone}`}>
      <div class="qr-box" data-testid="qr-image">
        {a.qr_svg ? (
          // The SVG is drawn by core from the payment URL; it carries no script.
          <div class="qr-svg" dangerouslySetInnerHTML={{ __html: a.qr_svg }} />
        ) : (
          <div class="qr-wait">
            <Spinner />
          </div>
        )}
      </div>
      <div class="qr-side">
        <p class="qr-channel" data-testid="channel-label">
          {a.wallet && <span class={`wallet wallet-${a.wallet}`} aria-hidden="true" />}
          {a.channel_label}
        </p>
        <p class="amount-huge" data-testid="amount">
          {a.amount_text}
        </p>
        <StateLabel a={a} />
        <Say a={a} />
        {left !== null && <Ring left={left} total={total} />}
        <AttemptFacts a={a} />
        <div class="actions">
          <KeyButton
            testid="cancel-button"
            kind="secondary"
            label={t("action.cancelQr")}
            keyName="Esc"
            disabled={!a.actions.includes("cancel")}
            onClick={() => void store.cancel()}
          />
        </div>
      </div>
    </div>
  );
}
