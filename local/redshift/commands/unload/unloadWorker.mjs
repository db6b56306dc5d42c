// Worker entry: local/ runs from TypeScript sources (tsx), and a worker thread starts without the
// parent's loader when the parent registered it through the API (CLI, vitest), so register it here.
import { register } from 'tsx/esm/api';

register();
await import('./unloadThread.ts');
