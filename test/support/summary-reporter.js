/**
 * Jest reporter that writes the pass and fail counts to $TEST_SUMMARY_DIR/jest.json, so CI can print one
 * count line for every test runner after the other steps. Without the variable it does nothing.
 */
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const folder = process.env.TEST_SUMMARY_DIR;
    if (!folder) return;
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests,
    };
    fs.writeFileSync(path.join(folder, 'jest.json'), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
