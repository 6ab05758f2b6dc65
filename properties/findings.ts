/*
 * Findings on the seed: each distinct violation the catalog (and the probes)
 * find, with the scenario that finds it, how to recognise it, and the
 * verdict. traces/findings/NAME.md explains each; NAME.json pins its minimal
 * counterexample (written by `npx tsx properties/pin-findings.ts`), and the
 * tests replay it.
 */
import type { Violation } from '../checker/runtime.ts';
import { minimize } from '../checker/minimize.ts';
import { explore } from '../checker/explore.ts';
import type { Counterexample } from '../checker/counterexample.ts';
import type { Program } from '../checker/runtime.ts';
import { buildProgram } from './program.ts';
import { catalogScenario } from './catalog.ts';
import { propertyOfViolation } from './properties.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { strategyFor } from './run.ts';
import type { Observed } from './observed.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type Verdict =
  /** A defect of the seed code, repaired in a named variant. */
  | 'seed-defect'
  /** A defect of the seed that only callers outside the 2017 locking contract reach. */
  | 'seed-defect-latent'
  /** Not a defect of the seed: the scenario's caller breaks a documented precondition. */
  | 'caller-contract'
  /** A defect of the 2017 kernel outside the seed (a callee of the pager), repaired at the callee in a named variant. */
  | 'kernel-defect'
  /**
   * Not a defect of the seed: the modelled caller did what no 2017 caller does. The caller model is fixed; the
   * scenario the hunt shrank is kept as traces/findings/NAME.scenario.json and must now pass on every variant.
   */
  | 'caller-model';

export interface Finding {
  readonly name: string;
  /** A catalog scenario or probe; for 'caller-model', the name inside traces/findings/NAME.scenario.json. */
  readonly scenario: string;
  readonly verdict: Verdict;
  /** The property violated. */
  readonly property: string;
  /** Recognises this finding's violations among a scenario's. */
  matches(v: Violation): boolean;
  /** Seed lines involved. */
  readonly lines: readonly number[];
  /** Repair patch names (impl/variants.ts), once added; proposed names otherwise. */
  readonly repair: readonly string[];
}

const assertionIn = (fn: string, text?: string) => (v: Violation) => v.kind === 'assertion' && v.fn === fn && (text === undefined || v.message.includes(text));

export const FINDINGS: readonly Finding[] = [
  {
    name: 'partly-valid-page-zero-filled',
    scenario: 'partly-valid-page-small-block',
    verdict: 'seed-defect',
    property: 'getpages-answer-truthful',
    matches: (v) => propertyOfViolation(v) === 'getpages-answer-truthful',
    lines: [770, 771, 772, 773, 774, 775, 776, 777, 778],
    repair: ['getpages-reads-partly-valid-page'],
  },
  {
    name: 'putpages-ok-after-failed-sync-write',
    scenario: 'msync-write-error',
    verdict: 'seed-defect',
    property: 'putpages-rtvals-truthful',
    matches: (v) => propertyOfViolation(v) === 'putpages-rtvals-truthful',
    lines: [1277, 1282, 1283, 1284, 1285, 1292, 1293, 1294, 1295],
    repair: ['putpages-reports-unwritten-pages'],
  },
  {
    name: 'readahead-valid-after-read-error',
    scenario: 'io-errors',
    verdict: 'seed-defect',
    property: 'valid-data-is-file-data',
    matches: (v) => propertyOfViolation(v) === 'valid-data-is-file-data',
    lines: [1081, 1098, 1099, 1100, 1106, 1110, 1123, 1130, 1131, 1134, 1135],
    repair: ['getpages-done-frees-readahead-on-error'],
  },
  {
    name: 'async-iodone-lost-small-block',
    scenario: 'getpages-async-small-block',
    verdict: 'seed-defect',
    property: 'no-thread-blocked-forever',
    matches: (v) => v.kind === 'deadlock',
    lines: [726, 727, 728, 729, 730, 731, 732, 819, 820, 821, 822, 823, 824, 825, 826, 827, 828, 829],
    repair: ['generic-getpages-async-completes-synchronous-paths'],
  },
  {
    name: 'async-iodone-lost-on-bmap-error',
    scenario: 'getpages-async-bmap-error',
    verdict: 'seed-defect',
    property: 'kernel-assertions-hold',
    matches: assertionIn('sendfile_swapin'),
    lines: [726, 727, 728, 729, 730, 731, 732, 797, 810, 811, 812, 813],
    repair: ['generic-getpages-async-completes-synchronous-paths'],
  },
  {
    name: 'haspage-small-block-first-block-only',
    scenario: 'sparse-small-block-sendfile',
    verdict: 'seed-defect',
    /* Caught at the answer since haspage-agrees-with-bmap exists; before it, at the zero-filled page (valid-data-is-file-data). */
    property: 'haspage-agrees-with-bmap',
    matches: (v) => propertyOfViolation(v) === 'haspage-agrees-with-bmap' || propertyOfViolation(v) === 'valid-data-is-file-data',
    lines: [336, 337, 338, 340, 341, 342, 343, 344, 346, 349, 350, 351],
    repair: ['haspage-small-block-checks-whole-page'],
  },
  {
    name: 'alloc-sleeps-on-freed-object',
    scenario: 'unlocked-alloc-vs-vgone',
    verdict: 'seed-defect-latent',
    property: 'no-thread-blocked-forever',
    matches: (v) => v.kind === 'deadlock',
    lines: [223, 224, 225, 226, 227, 228, 229, 230, 291, 292, 293, 302],
    repair: ['alloc-recheck-v_object'],
  },
  {
    name: 'alloc-object-ref-without-vnode-ref',
    scenario: 'unlocked-alloc-vs-vgone',
    verdict: 'seed-defect-latent',
    property: 'kernel-assertions-hold',
    matches: assertionIn('vrefact'),
    lines: [262, 266, 268, 287, 305, 306],
    repair: ['alloc-vref-under-object-lock'],
  },
  {
    name: 'alloc-attaches-to-reclaimed-vnode',
    scenario: 'unlocked-alloc-vs-vgone',
    verdict: 'seed-defect-latent',
    property: 'kernel-assertions-hold',
    matches: assertionIn('vnode_destroy_vobject', 'vp vp1 obj'),
    lines: [224, 234, 238, 244, 245, 259, 260, 194],
    repair: ['alloc-refuses-doomed-vnode'],
  },
  {
    name: 'stdgetpages-async-fails-completed-request',
    scenario: 'nobmap-sendfile-read-error',
    verdict: 'kernel-defect',
    property: 'kernel-assertions-hold',
    matches: assertionIn('sendfile_swapin'),
    lines: [697, 705, 706, 707, 709, 797, 799, 800, 805, 806, 808],
    repair: ['stdgetpages-async-reports-completed'],
  },
  {
    name: 'haspage-small-block-after-past-run',
    scenario: 'small-block-haspage-run-past-hole',
    verdict: 'seed-defect',
    property: 'haspage-agrees-with-bmap',
    matches: (v) => propertyOfViolation(v) === 'haspage-agrees-with-bmap',
    lines: [340, 341, 342, 343, 346, 379, 380, 381],
    repair: ['haspage-small-block-after-whole-pages'],
  },
  {
    name: 'putpages-eof-sector-cleaned-unwritten',
    scenario: 'truncate-then-launder-enospc',
    verdict: 'seed-defect',
    /* On the seed the page is also reported VM_PAGER_OK (putpages-ok-after-failed-sync-write), so the loss shows as a clean page the disk lacks. */
    property: 'no-lost-writes',
    matches: (v) => propertyOfViolation(v) === 'no-lost-writes' || propertyOfViolation(v) === 'putpages-rtvals-truthful',
    lines: [1235, 1236, 1237, 1240, 1241, 1242, 1253, 1254, 1277],
    repair: ['putpages-keeps-eof-sector-dirty'],
  },
  {
    name: 'alloc-on-reclaimed-vnode-locked-caller',
    scenario: 'hunt-2-86-spec-conformance-objectlifecycle-vnode-pager-all',
    verdict: 'caller-model',
    property: 'spec-conformance:objectLifecycle',
    matches: (v) => propertyOfViolation(v) === 'spec-conformance:objectLifecycle',
    lines: [224, 232, 238, 244, 245],
    repair: [],
  },
  {
    name: 'haspage-bmap-past-new-eof',
    scenario: 'unlocked-haspage-vs-setsize',
    verdict: 'caller-contract',
    property: 'kernel-assertions-hold',
    matches: assertionIn('vnode_pager_haspage'),
    lines: [345, 346, 347, 365, 366, 367, 368, 369, 370, 424, 425, 426, 472],
    repair: [],
  },
];

export function findingByName(name: string): Finding {
  const f = FINDINGS.find((x) => x.name === name);
  if (!f) throw new Error(`unknown finding "${name}"; accepted: ${FINDINGS.map((x) => x.name).join(', ')}`);
  return f;
}

/** The scenario without the named threads (for minimization); null if a name is not a scenario thread. */
export function withoutThreads(s: Scenario, names: readonly string[]): Scenario | null {
  if (names.some((n) => !s.threads.some((t) => t.name === n))) return null;
  const threads = s.threads.filter((t) => !names.includes(t.name));
  if (threads.length === 0) return null;
  try {
    return parseScenario({ ...s, threads });
  } catch {
    return null;
  }
}

/** traces/findings/, where each finding's files live. */
export const FINDINGS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'traces', 'findings');

/** The finding's scenario: from the catalog, or for 'caller-model' the hunt's shrunk scenario kept beside it. */
export function findingScenario(f: Finding): Scenario {
  if (f.verdict !== 'caller-model') return catalogScenario(f.scenario);
  const s = parseScenario(JSON.parse(readFileSync(join(FINDINGS_DIR, `${f.name}.scenario.json`), 'utf8')));
  if (s.name !== f.scenario) throw new Error(`${f.name}.scenario.json holds scenario "${s.name}", not "${f.scenario}"`);
  return s;
}

/** Finds and minimizes the finding's counterexample on a variant (default: the seed). */
export function reproduce(f: Finding, variant = 'seed'): { counterexample: Counterexample; program: Program<Observed> } | null {
  const s = catalogScenario(f.scenario);
  const prog = buildProgram(s, { variant });
  const out = explore(prog, { strategy: strategyFor(s), scenario: s.name, variant, stopOnViolation: false, races: false, target: f.matches });
  if (out.status !== 'violation') return null;
  const first = out.violations.find((c) => f.matches(c.violation));
  if (!first) return null;
  const m = minimize(prog, first, {
    withoutThreads: (names) => {
      const r = withoutThreads(s, names);
      return r ? buildProgram(r, { variant }) : null;
    },
  });
  return { counterexample: { ...m.counterexample, scenario: s.name, variant }, program: m.program };
}
