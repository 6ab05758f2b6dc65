#!/usr/bin/env node
// The pagercheck command: cli/main.ts bundled by esbuild (checker/esbundle.mjs: about twice as fast as through
// tsx's loader), or the TypeScript sources through tsx when the bundle cannot be had.
import { importBundled } from '../checker/esbundle.mjs';

const { main } = await importBundled('cli/main.ts', 'cli');
process.exitCode = await main(process.argv.slice(2));
