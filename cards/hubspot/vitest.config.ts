import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
    // CI sets TEST_SUMMARY_DIR to collect every runner's counts into one closing line.
    reporters: process.env.TEST_SUMMARY_DIR ? ['default', 'json'] : ['default'],
    outputFile: process.env.TEST_SUMMARY_DIR
      ? { json: `${process.env.TEST_SUMMARY_DIR}/vitest.json` }
      : undefined,
  },
});
