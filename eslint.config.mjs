// Type-aware lint, kept small: the rules that catch lost writes and unhandled failures.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/gen/", "client/dist/", ".wrangler/", ".test-results/", ".bench/"] },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      // An un-awaited promise on the write path acknowledges a write that may never be stored.
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
);
