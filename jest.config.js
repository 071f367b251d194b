/** Two suites: `unit` runs the program under Pulumi's mocks (fast, no tools); `e2e` drives the real engine. */
const transform = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };

module.exports = {
  // Jest's default is one worker per core but one, so a single worker here (2 cores): the unit files, mostly
  // CPU, then run one at a time (53 s against 39 s with two), and the real-engine files, mostly waiting on the
  // CLI and a control plane, queue behind them.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform,
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      globalSetup: "<rootDir>/test/support/global-setup.ts",
    },
    { displayName: "e2e", testEnvironment: "node", transform, testMatch: ["<rootDir>/test/e2e/**/*.test.ts"] },
  ],
};
