// No business rule in the UI's sources: every validation, label, mask, amount and clock time the screens show
// comes from core (crates/core/src/till), ready to show. This scans ui/src for the shapes such rules take, so
// a payment-code or bill pattern, money arithmetic or formatting, a mask or a clock time written here again
// fails the tests. (It failed on the in-browser fake core, ui/src/dev/, before that was removed.)
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SRC, sources } from "./sources";

/** What a rule looks like in TypeScript, and why it belongs in core. */
const RULES: [RegExp, string][] = [
  [/\\d\{\d|\[0-9\]\{\d|\\d\+\$/, "a digit-count pattern (payment codes, amounts): core's parsers and scan_rules decide"],
  [/\[A-Z0-9|\[0-9A-Z/, "a bill number pattern: core's check_bill decides"],
  [/\btoFixed\(|\bIntl\.NumberFormat|\btoLocaleString\(|padEnd\(2,\s*"0"\)|padStart\(3,\s*"0"\)|slice\(0,\s*-2\)/, "money formatting: core sends amount_text"],
  [/\/\s*100\b|\*\s*100\s*\+|\b100\s*\*\s*Number/, "fen and yuan arithmetic: core sends fen, texts and remainder_input"],
  [/¥\$\{|"¥"\s*\+|`¥/, "a yuan text composed here: core sends amount_text"],
  [/\*\*\*\*|\bslice\(-4\)/, "a payment-code mask: core sends code_masked"],
  [/\bIntl\.DateTimeFormat|\btoLocale(Time|Date)String\(|\bget(UTC)?(Hours|Minutes)\(|toISOString\(\)\.slice/, "a clock time: core sends times in the business zone"],
];

/** Every rule shape found in `text`, as "file:line: why". */
export function rulesIn(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) =>
    RULES.filter(([re]) => re.test(line)).map(([, why]) => `${file}:${i + 1}: ${why}: ${line.trim()}`),
  );
}

describe("ui/src", () => {
  it("holds no business rule", () => {
    // bindings/: generated from core's types by ts-rs.
    const found = sources(["bindings"]).flatMap((p) => rulesIn(relative(SRC, p), readFileSync(p, "utf8")));
    expect(found).toEqual([]);
  });

  it("would see the rules the old fake core wrote", () => {
    // Lines from ui/src/dev/fakeTill.ts as it was, one per kind of rule.
    const old = [
      'if (!/^[A-Z0-9-]{1,32}$/.test(s)) return bad("bill.chars");',
      'if (!/^\\d{16,24}$/.test(digits)) fail("input", "code.bad", "code");',
      'return `¥${s.slice(0, -2).replace(/\\B(?=(\\d{3})+$)/g, ",")}.${s.slice(-2)}`;',
      'const fen = Number(int || "0") * 100 + Number(dec.padEnd(2, "0"));',
      'code_masked: r.code && `${r.code.slice(0, 4)} **** **** ${r.code.slice(-4)}`,',
      "payable_until_time: new Date(r.until).toISOString().slice(11, 16),",
      "const yuan = (fen / 100).toFixed(2);",
    ];
    for (const line of old) expect(rulesIn("old.ts", line), line).not.toEqual([]);
  });
});
