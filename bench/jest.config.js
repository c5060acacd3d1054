/** Benchmarks: long runs on the real servers with quoted figures, kept out of `npm test`. */
const base = require('../jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, rootDir: '..', testMatch: ['<rootDir>/bench/**/*.bench.ts'], testTimeout: 3_600_000, maxWorkers: 1 };
