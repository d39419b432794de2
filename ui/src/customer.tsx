// The customer-facing display (客显) on a second screen, read from one or two metres: core's CustomerView laid
// out — the shop, the amount, the QR code large, "enter your password" with the time left, paid or not. Core
// decides what shows and in which words (both languages, Chinese first); this page only lays it out and counts
// the time left down between two views.
import { render, type JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { CustomerView, Words } from "./bindings";
import { customerFeed, type CustomerFeed } from "./customerFeed";
import { translator } from "./i18n";
import { Icon, mmss, Spinner, useNow } from "./ui/bits";
import "./styles.css";
import "./customer.css";

const zh = translator("zh-CN");
const en = translator("en");

/** A view and when it arrived (its `remaining_ms` counts from then). */
type Seen = { view: CustomerView; at: number };

function Said({ words, testid, big = false }: { words: Words; testid: string; big?: boolean }): JSX.Element {
  return (
    <div class={`cd-words ${big ? "cd-words-big" : ""}`} data-testid={testid}>
      <p class="cd-zh">{words.zh}</p>
      <p class="cd-en" lang="en">
        {words.en}
      </p>
    </div>
  );
}

function TimeLeft({ seen }: { seen: Seen }): JSX.Element | null {
  const now = useNow();
  if (seen.view.remaining_ms === null) return null;
  const left = Math.max(0, seen.view.remaining_ms - (now - seen.at));
  return (
    <p class="cd-left" data-testid="customer-time-left">
      <Icon name="clock" size={40} />
      <span class="cd-left-label">
        <span>{zh("customer.timeLeft")}</span>
        <span lang="en">{en("customer.timeLeft")}</span>
      </span>
      <b data-testid="customer-time-left-value">{mmss(left)}</b>
    </p>
  );
}

const MARK: Partial<Record<CustomerView["screen"], JSX.Element>> = {
  paid: <span class="cd-mark">✓</span>,
  failed: <span class="cd-mark">✗</span>,
};

export function CustomerDisplay({ feed = customerFeed }: { feed?: CustomerFeed }): JSX.Element {
  const [seen, setSeen] = useState<Seen | null>(null);

  useEffect(() => {
    let off: (() => void) | null = null;
    let gone = false;
    void feed((view) => setSeen({ view, at: performance.now() })).then((f) => {
      if (gone) f();
      else off = f;
    });
    return () => {
      gone = true;
      off?.();
    };
  }, [feed]);

  if (!seen) {
    return <div class="customer cd-welcome" data-testid="customer-display" data-screen="loading" />;
  }
  const v = seen.view;
  return (
    <div class={`customer cd-${v.screen}`} data-testid="customer-display" data-screen={v.screen} data-seq={v.seq}>
      <p class="cd-shop" data-testid="customer-shop">
        {v.shop}
      </p>
      {v.screen === "scan" && v.qr_svg ? (
        <div class="cd-qr-row">
          {/* The SVG is drawn by core from the payment URL; it carries no script. */}
          <div class="cd-qr" data-testid="customer-qr" dangerouslySetInnerHTML={{ __html: v.qr_svg }} />
          <div class="cd-side">
            <p class="cd-amount" data-testid="customer-amount">
              {v.amount_text}
            </p>
            <Said words={v.title} testid="customer-title" big />
            {v.hint && <Said words={v.hint} testid="customer-hint" />}
            <TimeLeft seen={seen} />
          </div>
        </div>
      ) : (
        <div class="cd-main">
          {MARK[v.screen]}
          {v.screen === "wait" && <Spinner />}
          {v.amount_text && (
            <p class="cd-amount" data-testid="customer-amount">
              {v.amount_text}
            </p>
          )}
          <Said words={v.title} testid="customer-title" big />
          {v.hint && <Said words={v.hint} testid="customer-hint" />}
          <TimeLeft seen={seen} />
        </div>
      )}
    </div>
  );
}

const root = document.getElementById("customer");
if (root) render(<CustomerDisplay />, root);
