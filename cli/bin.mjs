#!/usr/bin/env node
// The pagercheck command. Runs cli/main.ts bundled into one JavaScript file
// (checker/esbundle.mjs: about twice as fast as through tsx's loader); when
// the bundle cannot be had (PAGERCHECK_NO_BUNDLE, no esbuild, a read-only
// node_modules), registers tsx and runs the TypeScript sources as they are.
import { pathToFileURL } from 'node:url';
import { bundleEntry } from '../checker/esbundle.mjs';

const b = await bundleEntry('cli/main.ts', 'cli');
let main;
if ('file' in b) ({ main } = await import(pathToFileURL(b.file).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
