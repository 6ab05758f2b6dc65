#!/usr/bin/env node
// bench/scale-child.ts bundled by esbuild (checker/esbundle.mjs), so the library run it measures is the code users run.
import { importBundled } from '../checker/esbundle.mjs';

await importBundled('bench/scale-child.ts', 'scale-child');
