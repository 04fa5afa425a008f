import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

export default tseslint.config(
  // fixtures/ holds real files byte for byte (fixtures/README.md): not ours to restyle.
  { ignores: ["**/dist/**", "**/node_modules/**", ".data/**", ".bench/**", "fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // The SDK runs inside the sandbox: nothing from Node may reach it.
    files: ["sdk/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "fs", "path", "child_process", "net", "http", "os"],
              message: "sdk/ runs inside the sandbox and may not import Node modules.",
            },
          ],
        },
      ],
    },
  },
  {
    // Example projects and fixtures are user scripts in the Brigade style (CommonJS require).
    files: ["examples/**/*.js", "**/test/fixtures/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off", "no-undef": "off" },
  },
  {
    // The test scripts' own tests are plain modules run by mocha.
    files: ["scripts/test/**/*.mjs"],
    languageOptions: { globals: { ...globals.mocha } },
  },
);
