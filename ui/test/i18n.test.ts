import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TABLES } from "../src/i18n";
import { sources } from "./sources";

// The tables themselves aside.
const code = sources(["i18n"]).map((p) => readFileSync(p, "utf8"));
const zh = TABLES["zh-CN"];
const en = TABLES.en;
const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("UI strings", () => {
  it("has every key in both languages, none empty", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [k, v] of [...Object.entries(zh), ...Object.entries(en)]) {
      expect(v.trim(), k).not.toBe("");
    }
  });

  it("uses the same {placeholders} in both languages", () => {
    for (const k of Object.keys(zh) as (keyof typeof zh)[]) {
      expect(vars(en[k]), k).toEqual(vars(zh[k]));
    }
  });

  it("has no key that the code asks for but the tables lack", () => {
    const asked = new Set(code.flatMap((c) => [...c.matchAll(/\bt\(\s*"([^"]+)"/g)].map((m) => m[1] ?? "")));
    expect(asked.size).toBeGreaterThan(20);
    const missing = [...asked].filter((k) => !(k in zh));
    expect(missing).toEqual([]);
  });

  it("has no key that no code uses", () => {
    const unused = Object.keys(zh).filter((k) => !code.some((c) => c.includes(`"${k}"`)));
    expect(unused).toEqual([]);
  });

  it("builds no key at run time (the checks above could not see it)", () => {
    const built = code.flatMap((c) => [...c.matchAll(/\bt\(\s*`/g)].map((m) => m[0]));
    expect(built).toEqual([]);
  });
});
