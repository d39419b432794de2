// The UI's own words in both languages. Words that come from core (state labels, what to say, reasons,
// error messages) are shown as given and never pass through here.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Lang } from "./bindings";
import { EN } from "./i18n/en";
import { ZH, type MsgKey } from "./i18n/zh-CN";

export type { MsgKey };

export const TABLES: Record<Lang, Record<MsgKey, string>> = { "zh-CN": ZH, en: EN };

export type Translate = (key: MsgKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const table = TABLES[lang];
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (whole, name: string) => String(vars?.[name] ?? whole));
}

export const LangContext = createContext<Lang>("zh-CN");

export function useT(): Translate {
  return translator(useContext(LangContext));
}
