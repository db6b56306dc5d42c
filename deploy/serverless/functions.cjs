'use strict';
const { stack } = require('./stack.cjs');

/** serverless.yml `functions:` — one per functions/*.ts, each with its own role. */
module.exports = async ({ resolveConfigurationProperty }) =>
  (await stack(resolveConfigurationProperty)).functions;
