#!/usr/bin/env node
// `npm run bench`: bench/index.ts bundled by esbuild, as the command runs (checker/esbundle.mjs), so the figures
// are those of the code users run; through tsx (PAGERCHECK_NO_BUNDLE=1) they would be about half.
import { importBundled } from '../checker/esbundle.mjs';

await importBundled('bench/index.ts', 'bench');
