/** Two suites: `unit` runs the program under Pulumi's mocks (fast, no tools); `e2e` drives the real engine. */
const transform = { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] };

module.exports = {
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
