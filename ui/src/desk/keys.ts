// Esc closes the innermost thing on the desk first (a form, a detail), not the whole desk behind it.
import { useLayoutEffect, useRef } from "preact/hooks";

export function useEscape(close: () => void): void {
  const latest = useRef(close);
  latest.current = close;
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A PIN pad on top takes its own Esc.
      if (e.key !== "Escape" || document.querySelector("[data-testid=pin-pad]")) return;
      e.preventDefault();
      e.stopPropagation();
      latest.current();
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, []);
}
