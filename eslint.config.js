import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

/**
 * The layering of ARCHITECTURE.md: what each workspace may import of the others, in data-path order.
 * Every package sits above the ones it may import, so no cycle between packages can be written.
 * Tests may also use the private test-support package; no source may.
 */
export const WORKSPACES = [
  "core",
  "sdk",
  "dispatchfile",
  "store",
  "gateways",
  "watchers",
  "executors",
  "worker",
  "dashboard",
  "cli",
  "test-support",
];
export const MAY_IMPORT = {
  core: [],
  sdk: [],
  dispatchfile: ["core"],
  store: ["core"],
  gateways: ["core", "store"],
  watchers: ["core", "store"],
  executors: ["core"],
  worker: ["core", "sdk", "dispatchfile", "store", "executors"],
  dashboard: [],
  cli: ["core", "dispatchfile", "store", "gateways", "watchers", "executors", "worker", "dashboard"],
  "test-support": ["core", "dispatchfile", "store", "executors"],
};
const PACKAGE_NAME = { cli: "bosun" };
const packageName = (ws) => PACKAGE_NAME[ws] ?? `@bosun/${ws}`;

/** Node's modules, refused in the SDK: it runs inside the sandbox. */
const NODE_MODULES = {
  group: ["node:*", "fs", "path", "child_process", "net", "http", "os"],
  message: "sdk/ runs inside the sandbox and may not import Node modules.",
};

/** Another package's files by path, past its index: through src/ or dist/, or a relative path out. */
const BY_PATH = [
  {
    regex: "^(@bosun/[^/]+|bosun)/(src|dist|test)(/|$)",
    message: "Import a package by its name only; its index says what it offers.",
  },
  {
    regex: `^(\\.\\./)+(${WORKSPACES.join("|")})/(src|dist|test)(/|$)`,
    message: "Import another package by its name (@bosun/...), not by a path into its folder.",
  },
];

function layer(ws, tests) {
  const allowed = new Set([...MAY_IMPORT[ws], ...(tests ? ["test-support"] : [])]);
  const refused = WORKSPACES.filter((other) => other !== ws && !allowed.has(other));
  const may = MAY_IMPORT[ws].length ? MAY_IMPORT[ws].map(packageName).join(", ") : "nothing of ours";
  return [
    ...refused.map((other) => ({
      group: [packageName(other), `${packageName(other)}/*`],
      message: `${ws}/ may import ${may}${tests ? " (and @bosun/test-support in tests)" : ""}: see ARCHITECTURE.md.`,
    })),
    ...BY_PATH,
    ...(ws === "sdk" ? [NODE_MODULES] : []),
  ];
}

const layering = WORKSPACES.flatMap((ws) => [
  {
    files: [`${ws}/src/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { patterns: layer(ws, false) }] },
  },
  {
    files: [`${ws}/test/**/*.ts`],
    rules: { "no-restricted-imports": ["error", { patterns: layer(ws, true) }] },
  },
]);

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
    // Typed rules: a promise nobody awaits loses its rejection (an unhandled rejection ends the process).
    files: ["**/*.ts"],
    ignores: ["**/test/fixtures/**", "examples/**"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error" },
  },
  ...layering,
  {
    // A path into another package, resolved at run time, is the same reach past its index.
    files: ["*/src/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.object.meta.name='import'][callee.property.name='resolve'] > Literal[value=/^@bosun\\u002F[^\\u002F]+\\u002F(src|dist)\\u002F/]",
          message: "Import a package by its name only; its index says what it offers.",
        },
      ],
    },
  },
  {
    // The one exception: the sandbox bundles the SDK's own sources into each script (esbuild reads
    // them), so it must find sdk/src/index.ts, which the SDK exports for exactly this.
    files: ["worker/src/sandbox/sdk-path.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    // The dashboard's page runs in the browser: no Node module, and none of our packages (it reads the API).
    files: ["dashboard/web/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...layer("dashboard", false),
            {
              ...NODE_MODULES,
              message: "dashboard/web runs in the browser and may not import Node modules.",
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
