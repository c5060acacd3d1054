/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // The console's components (test/console/*.test.tsx, console/src): React's automatic JSX runtime, as Vite builds them.
    '^.+\\.tsx$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } }],
  },
  // Stylesheets imported by console components mean nothing to jsdom.
  moduleNameMapper: { '\\.css$': '<rootDir>/test/console/style-stub.js' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/test/console/**/*.test.tsx'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
