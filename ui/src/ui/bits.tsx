// Small pieces every screen uses: a button that shows its key, icons drawn inline (no image files,
// no icon font), a local clock for countdowns between events.
import type { ComponentChildren, JSX, TargetedKeyboardEvent } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { AttemptView } from "../bindings";

type KeyButtonProps = {
  label: string;
  /** The key (or keys) that do the same. */
  keyName?: string | string[];
  kind?: "primary" | "secondary" | "danger" | "quiet";
  disabled?: boolean;
  testid: string;
  onClick?: () => void;
  big?: boolean;
  /** A second, smaller line under the label (why it is disabled). */
  note?: string | undefined;
  /** Submits its form (so Enter in a field of the form presses it). */
  submit?: boolean;
};

/** A button that says which key does the same (`确认 Enter`). */
export function KeyButton(p: KeyButtonProps): JSX.Element {
  const cls = ["btn", `btn-${p.kind ?? "secondary"}`, p.big ? "btn-big" : ""].join(" ");
  return (
    <button type={p.submit ? "submit" : "button"} class={cls} disabled={p.disabled} data-testid={p.testid} onClick={p.onClick}>
      <span class="btn-label">
        {p.label}
        {p.note && <small class="btn-note">{p.note}</small>}
      </span>
      {(Array.isArray(p.keyName) ? p.keyName : p.keyName ? [p.keyName] : []).map((k) => (
        <kbd key={k}>{k}</kbd>
      ))}
    </button>
  );
}

/** A form whose submit (Enter in a field, or its submit button) runs `act` in the page instead of
 * loading another. */
export function ActionForm(p: { class: string; act: () => Promise<void>; children: ComponentChildren }): JSX.Element {
  return (
    <form
      class={p.class}
      onSubmit={(e) => {
        e.preventDefault();
        void p.act();
      }}
    >
      {p.children}
    </form>
  );
}

/** A field's Enter handler: Enter does `act` and goes no further (no form submit, no handler above). */
export function onEnter(act: (field: HTMLInputElement) => void): (e: TargetedKeyboardEvent<HTMLInputElement>) => void {
  return (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      e.stopPropagation();
      act(e.currentTarget);
    }
  };
}

export type IconName = "check" | "cross" | "question" | "partly" | "clock" | "scan" | "gear" | "warn" | "dot" | "key" | "printer" | "store";

const PATHS: Record<IconName, ComponentChildren> = {
  check: <path d="M5 12.5l4.5 4.5L19 7.5" />,
  cross: <path d="M6 6l12 12M18 6L6 18" />,
  question: (
    <>
      <path d="M8.5 9a3.5 3.5 0 1 1 5.2 3.1c-1 .6-1.7 1.3-1.7 2.4v.5" />
      <circle cx="12" cy="18.5" r="0.6" />
    </>
  ),
  partly: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M12 4a8 8 0 0 1 0 16z" fill="currentColor" />
    </>
  ),
  clock: (
    <>
      <circle cx="12" cy="12" r="8" />
      <path d="M12 7v5l3 2" />
    </>
  ),
  scan: <path d="M4 8V5h3M17 5h3v3M20 16v3h-3M7 19H4v-3M7 9v6M10 9v6M13 9v6M16 9v6" />,
  gear: (
    <>
      <circle cx="12" cy="12" r="3" />
      <path d="M12 3v3M12 18v3M3 12h3M18 12h3M5.6 5.6l2.1 2.1M16.3 16.3l2.1 2.1M5.6 18.4l2.1-2.1M16.3 7.7l2.1-2.1" />
    </>
  ),
  warn: (
    <>
      <path d="M12 4l9 16H3z" />
      <path d="M12 10v4M12 17v.5" />
    </>
  ),
  dot: <circle cx="12" cy="12" r="5" fill="currentColor" />,
  key: (
    <>
      <circle cx="8" cy="14" r="4" />
      <path d="M11 11l8-8M16 6l2 2M14 8l2 2" />
    </>
  ),
  printer: (
    <>
      <path d="M7 9V4h10v5" />
      <rect x="3.5" y="9" width="17" height="7.5" rx="1.5" />
      <path d="M7 14h10v6H7z" />
    </>
  ),
  store: (
    <>
      <path d="M3.5 9l2-5h13l2 5" />
      <path d="M5 9v11h14V9" />
      <path d="M10 20v-6h4v6" />
    </>
  ),
};

export function Icon({ name, size = 24 }: { name: IconName; size?: number }): JSX.Element {
  return (
    <svg
      class={`icon icon-${name}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2.2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      {PATHS[name]}
    </svg>
  );
}

/** Re-renders every `ms` so countdowns move between the Till's events. */
export function useNow(ms = 250): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const id = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** 75_000 → "01:15". */
export function mmss(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/** A countdown ring: full at the start, empty at the end; the time left in the middle. */
export function Ring({ left, total, size = 132 }: { left: number; total: number; size?: number }): JSX.Element {
  const r = 44;
  const c = 2 * Math.PI * r;
  const frac = total > 0 ? Math.min(1, Math.max(0, left / total)) : 0;
  const urgent = left < 20_000;
  return (
    <div class={`ring ${urgent ? "ring-urgent" : ""}`} style={{ width: size, height: size }} data-testid="countdown">
      <svg viewBox="0 0 100 100" width={size} height={size} aria-hidden="true">
        <circle cx="50" cy="50" r={r} class="ring-track" />
        <circle
          cx="50"
          cy="50"
          r={r}
          class="ring-left"
          stroke-dasharray={c}
          stroke-dashoffset={c * (1 - frac)}
          transform="rotate(-90 50 50)"
        />
      </svg>
      <span class="ring-text">{mmss(left)}</span>
    </div>
  );
}

export function Spinner(): JSX.Element {
  return <span class="spinner" aria-hidden="true" />;
}

/** An error in words with a ✗, never colour alone. */
export function FieldError({ testid, children }: { testid?: string; children: ComponentChildren }): JSX.Element {
  return (
    <p class="field-error" data-testid={testid} role="alert">
      <Icon name="cross" size={20} /> {children}
    </p>
  );
}

/** Core's words for where an attempt stands, as the screen's heading. */
export function StateLabel({ a }: { a: AttemptView }): JSX.Element {
  return (
    <h1 class="state-label" data-testid="state-label">
      {a.state_label}
    </h1>
  );
}

/** What core says to tell the customer, when it says anything. */
export function Say({ a }: { a: AttemptView }): JSX.Element | null {
  return a.say ? (
    <p class="say" data-testid="say">
      {a.say}
    </p>
  ) : null;
}
