/**
 * Browser tests: the card page in headless Chromium. They need Debian's chromium at /usr/bin/chromium
 * (apt-get install -y chromium) and no database. Run with `npx jest -c jest.browser.config.js`.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-each-file.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
};
