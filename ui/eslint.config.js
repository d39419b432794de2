// Strict, type-aware lint for the UI sources and tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "screenshots/", "shots-out/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
      // `onClick={() => store.open(null)}` is the idiom for event handlers.
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  {
    // Written the way ts-rs generates them (`Array<T>`), so the generated files drop in unchanged.
    files: ["src/bindings/**"],
    rules: { "@typescript-eslint/array-type": "off" },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { URL: "readonly", document: "readonly", console: "readonly", process: "readonly", setTimeout: "readonly", clearTimeout: "readonly", fetch: "readonly", window: "readonly", localStorage: "readonly", requestAnimationFrame: "readonly" },
    },
  },
);
