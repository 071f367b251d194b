// One lint configuration for the whole tree: typescript-eslint's recommended rules, plus the type-aware rules
// that catch what the compiler does not (a promise left floating, an await of a non-promise), and the layering
// of the folders (a lower layer never imports a higher one).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "policy/node_modules/", ".toolchain/", "out/", "bin/", "toolchain/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Explicit `any` stays allowed: it is the SDKs' own type for what this code reads of unknown shape (stack
      // files, Kubernetes objects, policy resources' props), and strict mode already refuses every implicit one.
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // Synchronous requires on purpose: compositions load only when a stack chooses them, the mock engine and the
    // bootstrap harness load the program after installing their mocks, and the SDK's internals (its config module's
    // isConfigSecret, the mock engine's hooks) are modules of its own it does not export.
    files: ["stacks/index.ts", "config/load.ts", "mock-engine/index.ts", "mock-engine/sdk-internals.ts", "test/bootstrap-harness.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  // The layers, lowest first: lib, config, components, stacks, the mock engine that runs them; the tools (scripts,
  // test) sit on top. A layer may import those below it only, so that a shared catalogue (versions, naming) never
  // depends on what uses it, and no command of the product depends on the tests.
  layer("lib/**/*.ts", ["config", "components", "stacks", "mock-engine", "scripts", "test", "bootstrap", "policy"]),
  layer("config/**/*.ts", ["components", "stacks", "mock-engine", "scripts", "test", "bootstrap", "policy"]),
  layer("components/**/*.ts", ["stacks", "mock-engine", "scripts", "test", "bootstrap", "policy"]),
  layer("stacks/**/*.ts", ["mock-engine", "scripts", "test", "bootstrap", "policy"]),
  layer("mock-engine/**/*.ts", ["scripts", "test", "bootstrap", "policy"]),
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
    },
  },
);

function layer(files, above) {
  const patterns = [
    {
      regex: `^(\\.\\./)+(${above.join("|")})(/|$)`,
      message: "a lower layer never imports a higher one (lib < config < components < stacks < mock-engine < scripts, test)",
    },
  ];
  return { files: [files], rules: { "no-restricted-imports": ["error", { patterns }] } };
}
