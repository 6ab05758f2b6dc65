/*
 * End to end: the HTML report in headless Chromium (Debian's chromium driven
 * by playwright-core; never a downloaded browser). Skipped, with the reason,
 * where /usr/bin/chromium is not installed (.ci/run installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { buildReport, inlineSvg, stepViews } from './report.ts';
import { coverageFromTally } from './coverage.ts';
import { stepBoundTrace, tinyScenario } from './testkit.ts';
import { portLine, portLinesCiting, seedFunctionAt } from './seedmap.ts';
import { seedLine } from '../seed/seed.ts';
import { changeText, kernelDiffs } from './kstate.ts';
import { CCollector, cSummaryLine, type CCoverageData } from './ccoverage.ts';
import { checkedProgram } from './checked.ts';
import { explore, makeStrategy } from '../checker/explore.ts';
import { MACHINE_NAMES } from '../spec/catalog.ts';
import { renderDot, renderSvg } from '../spec/diagrams.ts';
import { lifecycleHighlights } from './render.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/** C coverage of the tiny scenario, by the main job's mechanism, over two runs (dpor, then bounded) to have per-run counts. */
function tinyCoverage(): CCoverageData {
  const c = new CCollector();
  for (const [name, spec] of [['tiny@seed', { kind: 'dpor' }], ['tiny-bounded@seed', { kind: 'bounded', maxPreemptions: 0 }]] as const) {
    c.exploring(name);
    explore(checkedProgram(tinyScenario(), 'seed', { spec: true, races: false }).program, { strategy: c.wrap(makeStrategy(spec)), stopOnViolation: false, races: false });
    c.explored();
  }
  return c.data('the tiny scenario, twice');
}

describe.skipIf(!haveChromium)(`HTML report in headless Chromium (needs ${CHROMIUM}: apt-get install chromium)`, () => {
  const trace = stepBoundTrace(30);
  const views = stepViews(trace);
  const kernel = kernelDiffs(trace);
  const ccov = tinyCoverage();
  let dir: string;
  let browser: BrowserContext;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pagercheck-report-'));
    const tally = { transitions: new Map([['objectLifecycle' as const, new Map([['alive:OBJ_REFS#0', 3]])]]), states: new Map([['objectLifecycle' as const, new Map([['alive', 5]])]]) };
    const html = await buildReport({ title: 'test report', coverage: [coverageFromTally(tally, 'a test')], ccoverage: ccov, traces: [{ file: 'tiny.trace.json', trace }] });
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const { chromium } = await import('playwright-core');
    // A fresh profile directory (--user-data-dir), as playwright passes it for a persistent context.
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is one self-contained file: no other request, no script error', () => {
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*report\.html$/);
    expect(errors).toEqual([]);
  });

  it('shows the lifecycle diagrams and the coverage of every machine', async () => {
    for (const m of MACHINE_NAMES) {
      expect(await page.locator(`#diagrams figure[data-machine="${m}"] svg`).count()).toBe(1);
      expect(await page.locator(`#coverage tr[data-machine="${m}"]`).count()).toBe(1);
    }
    const row = page.locator('#coverage tr[data-machine="objectLifecycle"]');
    expect(await row.locator('td').nth(1).textContent()).toMatch(/^1\/\d+$/);
  });

  it('steps through a counterexample: threads side by side, the seed line, the machine states', async () => {
    const sec = page.locator('section.cex').first();
    const counter = sec.getByTestId('step-counter');
    const last = trace.steps.length - 1;
    expect(await counter.textContent()).toBe(`step 0 of ${last}`);
    expect(await sec.locator('table.threads thead th').allTextContents()).toEqual(['step', 'T1', 'T2']);

    // Forward to the first step that runs a seed line, checking each step on the way.
    const target = trace.steps.findIndex((s) => s.line !== undefined);
    expect(target).toBeGreaterThan(0);
    for (let i = 1; i <= target; i++) {
      await sec.locator('button[data-act="next"]').click();
      expect(await counter.textContent()).toBe(`step ${i} of ${last}`);
    }
    const step = trace.steps[target]!;
    expect(await sec.locator('tr.current').getAttribute('data-step')).toBe(String(target));
    expect(await sec.locator('tr.future').count()).toBe(last - target);
    // The step sits in its thread's column.
    const col = step.thread === 'T1' ? 1 : 2;
    expect(await sec.locator('tr.current td').nth(col).locator('.label').textContent()).toBe(step.label);
    expect(await sec.getByTestId('now').textContent()).toContain(`${step.thread} runs ${step.label}`);
    expect(await sec.getByTestId('seed-line').textContent()).toBe(`${seedFunctionAt(step.line!)}, seed line ${step.line}`);

    // The machine states after the first step that changes one.
    const moved = trace.steps.findIndex((s) => s.spec.some((m) => m.from !== m.to));
    expect(moved).toBeGreaterThan(target);
    await sec.locator(`tr[data-step="${moved}"]`).click();
    expect(await counter.textContent()).toBe(`step ${moved} of ${last}`);
    const mv = trace.steps[moved]!.spec.find((m) => m.from !== m.to)!;
    const stateRow = sec.locator(`[data-testid="states"] tr[data-key="${mv.machine}/${mv.instance}"]`);
    expect(await stateRow.locator('td.state').textContent()).toBe(mv.to);
    expect(await stateRow.getAttribute('class')).toBe('changed');
    expect(await sec.locator('[data-testid="states"] tr').count()).toBe(views[moved]!.states.length);

    // One step back: the machine is in its state before.
    await sec.locator('button[data-act="prev"]').click();
    expect(await counter.textContent()).toBe(`step ${moved - 1} of ${last}`);
    expect(await stateRow.locator('td.state').textContent()).toBe(mv.from);

    // The last step shows the violation.
    expect(await sec.getByTestId('end').textContent()).toBe('');
    await sec.locator('button[data-act="last"]').click();
    expect(await counter.textContent()).toBe(`step ${last} of ${last}`);
    expect(await sec.getByTestId('end').textContent()).toContain(trace.counterexample.violation.message);
    // Next does not run past the end; first goes back to the start.
    await sec.locator('button[data-act="next"]').click();
    expect(await counter.textContent()).toBe(`step ${last} of ${last}`);
    await sec.locator('button[data-act="first"]').click();
    expect(await counter.textContent()).toBe(`step 0 of ${last}`);
  });

  it('draws the counterexample path on its lifecycle diagrams', async () => {
    const sec = page.locator('section.cex').first();
    const fig = sec.locator('figure.diagram[data-machine="objectLifecycle"] svg');
    expect(await fig.count()).toBe(1);
    // The spec's drawing of this path (renderDot with the highlight), which differs from the plain diagram.
    const textOf = (svg: string) =>
      page.evaluate((markup) => {
        const d = document.createElement('div');
        d.innerHTML = markup;
        return d.textContent ?? '';
      }, svg);
    const shown = (await fig.textContent()) ?? '';
    const highlighted = await renderSvg(renderDot('objectLifecycle', lifecycleHighlights(trace).get('objectLifecycle')!));
    expect(shown).toBe(await textOf(inlineSvg(highlighted)));
    expect(shown).not.toBe(await textOf(inlineSvg(await renderSvg(renderDot('objectLifecycle')))));
    expect(await sec.locator('figure.diagram').count()).toBe(lifecycleHighlights(trace).size);
  });

  it('shows the C around the step, the current line highlighted, the port line beside it, and what the step changed', async () => {
    const sec = page.locator('section.cex').first();
    const i = trace.steps.findIndex((s) => s.line !== undefined && portLinesCiting(s.line).length > 0 && kernel[trace.steps.indexOf(s)]!.length > 0);
    expect(i).toBeGreaterThan(0);
    const step = trace.steps[i]!;
    await sec.locator(`tr[data-step="${i}"]`).click();
    const pane = sec.getByTestId('c-pane');
    const current = pane.locator('.cl.current');
    expect(await current.count()).toBe(1);
    expect(await current.getAttribute('data-line')).toBe(String(step.line));
    expect(await current.textContent()).toBe(`${step.line}${seedLine(step.line!)}`);
    // The lines around it, inside the function, in order.
    const shown = (await pane.locator('.cl').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-line')))));
    expect(shown).toContain(step.line! - 1);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    for (const l of shown) expect(seedFunctionAt(l)).toBe(seedFunctionAt(step.line!));
    // The port's line citing it.
    const ts = sec.getByTestId('ts-line');
    const tsl = portLinesCiting(step.line!)[0]!;
    expect(await ts.locator(`.cl[data-line="${tsl}"]`).textContent()).toBe(`${tsl}${portLine(tsl)}`);
    // The kernel fields the step changed.
    expect(await sec.locator('[data-testid="kernel-diff"] li').allTextContents()).toEqual(kernel[i]!.map(changeText));
    expect(await sec.locator(`[data-testid="kstate"] tr.changed`).count()).toBe(kernel[i]!.length);
    // A step with no change says so; a step outside the seed says it is not in the port.
    const quiet = trace.steps.findIndex((s, j) => kernel[j]!.length === 0 && s.line === undefined);
    await sec.locator(`tr[data-step="${quiet}"]`).click();
    expect(await sec.locator('[data-testid="kernel-diff"] li').allTextContents()).toEqual(['(nothing)']);
    expect(await pane.textContent()).toBe('(not in the seed)');
  });

  it('maps the coverage of the C: executions per line, per scenario on hover and click, what was not reached', async () => {
    const map = page.locator('#ccoverage');
    expect(await map.getByTestId('c-summary').textContent()).toBe(cSummaryLine(ccov).trim());
    const line = Number(Object.keys(ccov.lines).find((l) => ccov.lines[l]!.every((n) => n > 0))!);
    const counts = ccov.lines[String(line)]!;
    const row = map.locator(`tr[data-line="${line}"]`);
    expect(await row.getAttribute('class')).toMatch(/\breached\b/);
    expect(await row.locator('td.ex').textContent()).toBe(String(counts[0]! + counts[1]!));
    expect(await row.getAttribute('title')).toBe(`tiny@seed: ${counts[0]}\ntiny-bounded@seed: ${counts[1]}`);
    await row.click();
    expect(await map.locator('[data-testid="c-detail"] li').allTextContents()).toEqual([`tiny@seed: ${counts[0]}`, `tiny-bounded@seed: ${counts[1]}`]);
    expect(await row.getAttribute('class')).toMatch(/\bselected\b/);
    // A scheduling point of getpages, which the tiny scenario never runs: not reached, and listed.
    const un = map.locator('tr[data-line="1046"]');
    expect(await un.getAttribute('class')).toMatch(/\bunreached\b/);
    expect(await un.locator('td.ex').textContent()).toBe('0');
    await un.click();
    expect(await map.getByTestId('c-detail').textContent()).toContain('not reached by any execution');
    expect(await map.locator('[data-testid="c-unreached"] li').first().textContent()).toMatch(/^\d+/);
    // Every line of every function has its row, with the C as written.
    expect(await map.locator('tr[data-line="944"] td.src').textContent()).toBe(seedLine(944)!.replace(/\t/g, '    '));
  });
});
