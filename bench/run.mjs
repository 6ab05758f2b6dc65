#!/usr/bin/env node
// `npm run bench`: bench/index.ts bundled by esbuild, as the command runs (checker/esbundle.mjs), so the figures
// are those of the code users run; through tsx (PAGERCHECK_NO_BUNDLE=1) they would be about half.
import { pathToFileURL } from 'node:url';
import { bundleEntry } from '../checker/esbundle.mjs';

const b = await bundleEntry('bench/index.ts', 'bench');
if ('file' in b) await import(pathToFileURL(b.file).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./index.ts');
}
