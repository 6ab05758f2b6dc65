// `npm run build` (and `prepare`, so `npm ci`): the bundles of esbundle.mjs BUILD into dist/. A bundle that
// cannot be built is an error here; at run time it is a fallback to tsx.
import path from 'node:path';
import { BUILD, ROOT } from './esbundle.mjs';

for (const b of BUILD) {
  const r = await b.make();
  if ('error' in r) {
    console.error(`pagercheck build: ${b.what}: ${r.error}`);
    process.exit(1);
  }
  console.log(`pagercheck build: ${path.relative(ROOT, r.file)} (${b.what})`);
}
