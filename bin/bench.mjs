#!/usr/bin/env node
// `npm run bench [-- suite... --quick]`: the benchmarks run from TypeScript sources (tsx), no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
process.exitCode = await main(process.argv.slice(2));
