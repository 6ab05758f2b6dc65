#!/usr/bin/env node
// bench/scale-child.ts bundled by esbuild (checker/esbundle.mjs), so the library run it measures is the code users run.
import { pathToFileURL } from 'node:url';
import { bundleEntry } from '../checker/esbundle.mjs';

const b = await bundleEntry('bench/scale-child.ts', 'scale-child');
if ('file' in b) await import(pathToFileURL(b.file).href);
else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./scale-child.ts');
}
