// The UI's own source files, for the tests that read them as text (i18n keys, no rule in src/).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const SRC = join(import.meta.dirname, "..", "src");

/** Every .ts/.tsx file below `dir`, except in the folders named in `skip`. */
export function sources(skip: readonly string[], dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return skip.includes(name) ? [] : sources(skip, path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}
