'use strict';
const { stack } = require('./stack.cjs');

/** serverless.yml `resources:` — roles, state machines, schedules, the S3 event rule, outputs. */
module.exports = async ({ resolveConfigurationProperty }) =>
  (await stack(resolveConfigurationProperty)).resources;
