/*
 * Benchmark cases: one row of the `npm run bench` table each. A module of
 * cases calls registerBenchCase at import time; bench/index.ts imports every
 * such module. Pager scenarios are added the same way (a module that
 * registers one case per scenario, imported from index.ts).
 */
import type { Program, RunOptions } from '../checker/runtime.ts';

export interface BenchCase {
  readonly name: string;
  /** Table section: "tiny", "pager", ... */
  readonly group: string;
  /** A fresh program (called once per measurement). */
  readonly program: () => Program<unknown>;
  /** Mazurkiewicz trace count when known in closed form; otherwise counted by enumeration when `dfs` is on. */
  readonly traces?: number;
  /** Also run naive DFS (the baseline): only for cases small enough to enumerate. */
  readonly dfs?: boolean;
  /** Data-race detector on (default true, as explore). */
  readonly races?: boolean;
  /** Cap on executions per strategy (default 2,000,000). */
  readonly maxExecutions?: number;
  readonly stepCheck?: RunOptions['stepCheck'];
}

const cases: BenchCase[] = [];

export function registerBenchCase(c: BenchCase): void {
  if (cases.some((x) => x.name === c.name)) throw new Error(`bench case "${c.name}" is registered twice`);
  cases.push(c);
}

export function benchCases(): readonly BenchCase[] {
  return cases;
}

/** A row measured by its own code (e.g. parallel speed-up): returns its cells. Printed after the case tables. */
export interface CustomBench {
  readonly name: string;
  readonly group: string;
  readonly run: () => Promise<Readonly<Record<string, string>>>;
}

const custom: CustomBench[] = [];

export function registerCustomBench(c: CustomBench): void {
  if (custom.some((x) => x.name === c.name)) throw new Error(`bench row "${c.name}" is registered twice`);
  custom.push(c);
}

export function customBenches(): readonly CustomBench[] {
  return custom;
}
