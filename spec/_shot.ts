import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const p = await b.newPage({ viewport: { width: 1600, height: 1000 } });
for (const n of process.argv.slice(2)) {
  await p.setContent(`<html><body style="margin:0;background:white">${readFileSync(`traces/diagrams/${n}.svg`, 'utf8')}</body></html>`);
  await p.screenshot({ path: `/tmp/${n}.png`, fullPage: true });
}
await b.close();
