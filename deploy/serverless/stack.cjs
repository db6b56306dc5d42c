'use strict';
// osls loads `${file(...)}` JS sources with require(); the stack builder is TypeScript, loaded
// through tsx. Both the `functions` and the `resources` blocks come from one build per process.
const path = require('node:path');

const rootDir = path.resolve(__dirname, '../..');

async function stack(resolveConfigurationProperty) {
  const raw = await resolveConfigurationProperty(['custom', 'redshiftTransfer']);
  const key = JSON.stringify(raw);
  if (globalThis.__redshiftTransferStacks === undefined) globalThis.__redshiftTransferStacks = new Map();
  const cache = globalThis.__redshiftTransferStacks;
  if (!cache.has(key)) {
    cache.set(
      key,
      (async () => {
        const { tsImport } = require('tsx/esm/api');
        const settings = await tsImport('../stack/settings.ts', __filename);
        const builder = await tsImport('../stack/buildStack.ts', __filename);
        return builder.buildStack(rootDir, settings.parseDeploySettings(raw));
      })(),
    );
  }
  return cache.get(key);
}

module.exports = { stack };
