// Core's rules for what a keyboard-wedge burst means (TillStatus.scan_rules), applied as they come:
// the first rule for the field whose pattern matches the whole text decides; none matching: typing.
// No shape of a code or a bill is written here.
import type { ScanField, ScanMeaning, ScanRule } from "./bindings";
import type { Classify } from "./wedge";

type Compiled = { field: ScanField; re: RegExp; means: ScanMeaning };

function compile(rules: readonly ScanRule[]): Compiled[] {
  return rules.flatMap((r) => {
    try {
      return [{ field: r.field, re: new RegExp(r.pattern), means: r.means }];
    } catch {
      return []; // a pattern this engine cannot read takes nothing for a scan
    }
  });
}

/** A classifier over the rules `current()` gives now; compiled again only when they change (a new
 * status brings them, e.g. after the scanner's framing was saved). */
export function classifier(current: () => readonly ScanRule[]): Classify {
  let from: readonly ScanRule[] | null = null;
  let compiled: Compiled[] = [];
  return (text, field) => {
    const rules = current();
    if (rules !== from) {
      from = rules;
      compiled = compile(rules);
    }
    return compiled.find((r) => r.field === field && r.re.test(text))?.means ?? null;
  };
}
