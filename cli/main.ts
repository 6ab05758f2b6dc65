/*
 * The pagercheck command.
 *
 *   pagercheck                  the main job: the scenario catalog on the seed and the repaired
 *                               variants; summary table, traces and the HTML report under out/
 *   pagercheck explore [S...]   explore scenarios (catalog names or .json files)
 *   pagercheck replay FILE      replay a trace and render it
 *   pagercheck coverage         spec coverage: covering paths driven on the port
 *   pagercheck diagrams         regenerate (or --check) the lifecycle diagrams
 *   pagercheck mutants          run the catalog on every mutant: each must be killed
 *   pagercheck report           the HTML report from trace files
 *   pagercheck merge R...       merge the shard reports of a split search
 *   pagercheck hunt             generated scenarios until the time is up; each new violation written
 *   pagercheck diff [S...]      each explored schedule on the port and on the compiled seed (c); first divergences written
 *
 * Exit codes: 0 nothing violated, 1 a violation was found (see each command's
 * --help for what counts), 2 bad input (arguments, trace or scenario files),
 * 3 an internal error of the harness, 4 nothing violated but a run explored nothing or stopped early,
 * 130 interrupted before a violation (main job: an unexpected one) was found.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { STRATEGY_KINDS } from '../checker/explore.ts';
import { violationKey } from '../checker/counterexample.ts';
import { DEFAULT_REDUCTION, REDUCTION_NAMES } from '../checker/reductions.ts';
import { allVariants } from '../impl/variants.ts';
import { CATALOG } from '../properties/catalog.ts';
import { MACHINE_NAMES, type MachineName } from '../spec/catalog.ts';
import { DIAGRAM_DIR, staleDiagrams, writeDiagrams } from '../spec/diagrams.ts';
import { DEFAULT_CHECKS, type Checks } from '../traces/checked.ts';
import { coverageFromPaths, coverageFromTally, coverageText, loadCoverage, type CoverageData } from '../traces/coverage.ts';
import { buildReport } from '../traces/report.ts';
import { renderLifecycle, renderSequence, renderText } from '../traces/render.ts';
import { kernelDiffs } from '../traces/kstate.ts';
import { CCollector, cCoverageText, cSummaryLine, loadCCoverage, type CCoverageData } from '../traces/ccoverage.ts';
import { TraceDivergence, TraceError, compactJson, loadReplayInput, loadTrace, replayTrace, traceFiles, traceText, PINNED_DIR, type Trace } from '../traces/trace.ts';
import { BadInput, duration, durationIn, resolveScenarios, resolveVariants, variantNames, wholeNumber } from './args.ts';
import { checkOutputDir, checkOutputFile, processIo, writeOrKeep, type Io } from './io.ts';
import { groupDigits, makeProgress } from './progress.ts';
import { continueReplay, emptyTally, expectedViolations, runOne, writeTraces, type Bounds, type Continued, type RunResult } from './run.ts';
import { randomPhaseOf, reductionOf, strategyOf } from '../properties/run.ts';
import { stoppedEarly, summaryRows, summaryTable } from './summary.ts';
import { mergeCmd, scaleExplore, wantsScale, type ScaleOpts } from './scale.ts';
import { huntCmd, type HuntCmdOpts } from './hunt.ts';
import { DIFF_STRATEGIES, diffCmd, type DiffCmdOpts } from './diff.ts';
import { refuseOffC, runsOn, skippedOffC } from './compiled.ts';
import { EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATION } from './exit.ts';

export { EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INCOMPLETE, EXIT_INTERRUPTED };

const EXIT_CODES = `
Exit codes:
  0    nothing violated
  1    a violation was found (main job: one that properties/expectations.ts does not expect; any with --strict)
  2    bad input: an argument, a scenario file or a trace file (one line says what and what is accepted)
  3    internal error of the harness (a bug of pagercheck, not of the pager)
  4    nothing violated, but a run explored nothing or its exhaustive search stopped early
       (time budget, --max-executions): "ok so far" or "NOTHING EXPLORED" in its result column
  130  interrupted (Ctrl-C, SIGTERM) before any violation (main job: any unexpected one) was found;
       the counterexamples found so far are written either way`;

const MAIN_JOB_HELP = `
With no command, pagercheck runs the main job: every catalog scenario on the seed
and on every repaired variant (impl/variants.ts), prints a summary table, and writes
  OUT/traces/*.trace.json   one replayable trace per distinct violation (replacing the old ones)
  OUT/coverage.catalog.json spec transitions seen while exploring
  OUT/summary.json          the table as data
  OUT/report.html           the HTML report (open it in a browser)
The seed has real defects, so some violations are expected: properties/expectations.ts
lists them (the findings of traces/findings/ on the seed; on a repaired variant, only
what no repair of the pager applies to). The main job exits 1 when a run violates a
property that is not expected for its scenario and variant (marked UNEXPECTED in the
table), and 0 when every violation is an expected one; --strict exits 1 on any violation.
${EXIT_CODES}`;

/** Wall time for minimizing each counterexample. */
const DEFAULT_MINIMIZE = '5s';

interface Ctx {
  readonly io: Io;
  readonly signal: AbortSignal;
  interrupted(): boolean;
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const controller = new AbortController();
  let presses = 0;
  const off = io.onInterrupt(() => {
    presses++;
    if (presses === 1) {
      io.err('\npagercheck: interrupted; stopping and writing the counterexamples found so far (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else io.forceQuit(EXIT_INTERRUPTED);
  });
  const ctx: Ctx = { io, signal: controller.signal, interrupted: () => controller.signal.aborted };
  let code: number = EXIT_OK;
  const program = buildCommand(ctx, (c) => (code = c));
  try {
    const first = argv[0];
    if (first !== undefined && !first.startsWith('-') && !program.commands.some((c) => c.name() === first))
      throw new BadInput(`unknown command "${first}"; accepted: ${program.commands.map((c) => c.name()).join(', ')}, or no command for the main job`);
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      io.err(`pagercheck: ${clip(oneLine(e.message.replace(/^error: /, '')))}${helpHint(e)}\n`);
      return EXIT_BAD_INPUT;
    }
    if (e instanceof BadInput || e instanceof TraceError) {
      io.err(`pagercheck: ${clip(oneLine(e.message))}\n`);
      return EXIT_BAD_INPUT;
    }
    io.err(`pagercheck: internal error (a bug of the harness, please report): ${oneLine((e as Error)?.message ?? String(e))}\n`);
    if (e instanceof Error && e.stack) io.err(`${e.stack}\n`);
    return EXIT_INTERNAL;
  } finally {
    off();
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** A message cut to `n` characters: an input may be quoted in it, and the line stays readable. */
function clip(s: string, n = 500): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

/** Before any search: every path explore writes to can be written (a bad one must not cost the run). */
function checkExploreOutputs(o: { out: string; report?: string; checkpoint?: string; resume?: string }): void {
  checkOutputDir('--out', o.out);
  if (o.report !== undefined) checkOutputFile('--report', o.report);
  if (o.checkpoint !== undefined) checkOutputFile('--checkpoint', o.checkpoint);
  else if (o.resume !== undefined) checkOutputFile('--resume', o.resume);
}

function helpHint(e: CommanderError): string {
  if (e.code === 'commander.unknownOption' || e.code === 'commander.unknownCommand' || e.code === 'commander.excessArguments' || e.code === 'commander.missingArgument')
    return ' (see pagercheck --help or pagercheck COMMAND --help for what is accepted)';
  return '';
}

/* ---- the command tree ---- */

function buildCommand(ctx: Ctx, setCode: (c: number) => void): Command {
  const { io } = ctx;
  const program = new Command('pagercheck');
  const configure = (c: Command) =>
    c
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s), outputError: () => {} })
      .showSuggestionAfterError(true)
      .allowExcessArguments(false);
  configure(program)
    .enablePositionalOptions()
    .description("Model checker for FreeBSD's vnode pager (sys/vm/vnode_pager.c, 2017 seed): race counterexamples, spec conformance, lifecycle diagrams.")
    .version('0.1.0', '-V, --version')
    .option('--out <dir>', 'output directory', 'out')
    .addOption(new Option('--time-budget <duration>', 'wall time per scenario and variant (e.g. 30s, 2m)').argParser(durationIn('--time-budget')).default(duration('60s'), '60s'))
    .option('--max-executions <n>', 'executions per scenario and variant', wholeNumber('--max-executions'))
    .option('--strict', 'exit 1 on any violation, the expected findings on the seed included')
    .option('--variant <names>', `variants, comma-separated (default: seed and every repaired variant; e.g. seed,repaired,c adds the compiled seed on the scenarios that run on it; accepted: ${variantNames()})`)
    .option('--random-phase <n>', 'executions of the seeded random phase (random walk and PCT) before a dpor or dfs search (default 16; 0 or --no-random-phase: none)', wholeNumber('--random-phase'))
    .option('--no-random-phase', 'no random phase before the exhaustive searches')
    .option('--no-spec', 'do not check conformance with the spec machines (faster; traces still show the machine states)')
    .addOption(new Option('--minimize <duration>', 'wall time to minimize each counterexample (0: keep them as found)').argParser(durationIn('--minimize')).default(duration(DEFAULT_MINIMIZE), DEFAULT_MINIMIZE))
    .addHelpText('after', MAIN_JOB_HELP)
    .action(async (opts: MainJobOpts) => {
      checkOutputDir('--out', opts.out);
      setCode(await mainJob(ctx, opts));
    });

  configure(program.command('explore'))
    .description('explore scenarios under a strategy and write a trace per distinct violation')
    .argument('[scenario...]', `catalog scenario names, "all", or scenario .json files (default: the whole catalog)`)
    .option('--variant <names>', `variants, comma-separated, or "all" (accepted: ${variantNames()})`, 'seed')
    .addOption(new Option('--strategy <name>', 'search strategy (default: dpor, or bounded when the scenario states a preemption bound)').choices([...STRATEGY_KINDS]))
    .option('--preemptions <n>', 'preemption bound (strategy bounded; default 2)', wholeNumber('--preemptions'))
    .option('--depth <n>', 'PCT depth (strategy pct; default 3)', wholeNumber('--depth'))
    .option('--max-executions <n>', 'most executions per scenario and variant (default: unlimited for dpor, dfs and bounded; 10000 for pct and random)', wholeNumber('--max-executions'))
    .option('--max-steps <n>', 'longest execution before a step-bound violation (possible livelock; default 10000)', wholeNumber('--max-steps'))
    .option('--seed <n>', 'seed of the pct and random strategies and of the random phase (default 0)', wholeNumber('--seed'))
    .option('--random-phase <n>', 'executions of the seeded random phase (random walk and PCT) before a dpor or dfs search (default 16, the split search 0; 0 or --no-random-phase: none)', wholeNumber('--random-phase'))
    .option('--no-random-phase', 'no random phase before the exhaustive search')
    .addOption(new Option('--reduction <name>', `DPOR's reductions, cumulative, to compare them (default ${DEFAULT_REDUCTION}: all on; plain: none)`).choices([...REDUCTION_NAMES]))
    .option('--time-budget <duration>', 'wall time per scenario and variant (e.g. 30s, 2m; a bare number is seconds)', durationIn('--time-budget'))
    .option('--out <dir>', 'directory for the trace files', join('out', 'traces'))
    .option('--first', 'stop each exploration at its first violation (default: collect every distinct one)')
    .option('--no-spec', 'do not check conformance with the spec machines')
    .option('--races', "turn on the checker's data-race detector")
    .addOption(new Option('--minimize <duration>', 'wall time to minimize each counterexample (0: keep them as found)').argParser(durationIn('--minimize')).default(duration(DEFAULT_MINIMIZE), DEFAULT_MINIMIZE))
    .option('--workers <n>', 'split the DPOR search into subtree tasks searched by N threads: this one and N-1 worker threads (default: one per core; 0 or 1: this thread alone)', wholeNumber('--workers'))
    .option('--tasks <n>', 'split search: at least this many subtree tasks (default 32; the same for any --workers, so results are too)', wholeNumber('--tasks'))
    .option('--shard <i/n>', 'split search: run only shard i of n (0 <= i < n), for a batch engine; needs --report')
    .option('--report <file>', 'split search: where --shard writes its report, for pagercheck merge')
    .option('--checkpoint <file>', 'split search: write the frontier to FILE atomically every few seconds and on Ctrl-C')
    .option('--checkpoint-interval <duration>', 'time between checkpoints (default 5s)', durationIn('--checkpoint-interval'))
    .option('--resume <file>', 'continue a split search from its checkpoint (the scenario may be omitted)')
    .addHelpText('after', `\nExit code 1 when any violation is found.\nThe split search (--workers, --tasks, --shard, --checkpoint, --resume; see checker/SCALE.md) takes one catalog\nscenario and one variant and is exhaustive DPOR (a scenario's own preemption bound gives way to it); its execution\ncounts do not depend on the number of workers or shards. It honours --max-steps, --time-budget (not with --shard),\n--first, --races, --no-spec and --minimize (with --shard: at the merge), and refuses --strategy other than dpor,\n--preemptions, --depth, --seed and --max-executions. Every form writes the same minimized traces as a plain explore.\n${EXIT_CODES}`)
    .action(async (names: string[], o: ExploreOpts & ScaleOpts, cmd: Command) => {
      checkExploreOutputs(o);
      if (wantsScale(o)) {
        // The random phase runs in this thread before the tasks; a shard's report holds its tasks only, so the merge would lose it.
        if (o.shard !== undefined && typeof o.randomPhase === 'number' && o.randomPhase > 0)
          throw new BadInput('--shard runs its slice of the tasks only: the random phase runs before a plain or --workers search, not in a shard; accepted: --shard without --random-phase, or --no-random-phase');
        if (names.some((n) => n.endsWith('.json') || n.includes('/')))
          throw new BadInput('the split search (--workers, --shard, --checkpoint, --resume) runs catalog scenarios by name, not scenario files; accepted: a catalog scenario name');
        const resolved = names.length === 0 && o.resume !== undefined ? [] : resolveScenarios(names);
        const scenarios = resolved.map((s) => s.name);
        refuseOffC(resolved, resolveVariants(o.variant));
        const base = {
          scenarios,
          variants: resolveVariants(o.variant),
          bounds: checkBounds(o),
          races: o.races === true,
          first: o.first === true,
          spec: o.spec,
          minimizeMs: o.minimize,
          minimizeGiven: cmd.getOptionValueSource('minimize') === 'cli',
          variantGiven: cmd.getOptionValueSource('variant') === 'cli',
          out: o.out,
        };
        const interval = (o as { checkpointInterval?: number }).checkpointInterval;
        setCode(await scaleExplore(ctx.io, ctx.signal, base, { ...o, ...(interval !== undefined ? { checkpointInterval: interval } : {}) }));
        return;
      }
      setCode(await exploreCmd(ctx, names, o));
    });

  configure(program.command('merge'))
    .description('merge the reports of every shard of a split search (explore --shard i/n --report FILE) into one outcome')
    .argument('<reports...>', 'shard report files')
    .option('--out <dir>', 'directory for the trace files of the merged counterexamples', join('out', 'traces'))
    .addOption(new Option('--minimize <duration>', 'wall time to minimize each counterexample (0: keep them as found)').argParser(durationIn('--minimize')).default(duration(DEFAULT_MINIMIZE), DEFAULT_MINIMIZE))
    .addHelpText('after', `\nExit code 1 when the merged search found a violation; 2 when the reports are not every shard of one search.\n${EXIT_CODES}`)
    .action(async (files: string[], o: { out: string; minimize: number }) => {
      checkOutputDir('--out', o.out);
      setCode(await mergeCmd(ctx.io, files, o.out, o.minimize));
    });

  configure(program.command('replay'))
    .description('replay a trace file on the current code and render it')
    .argument('<file>', 'a trace file (*.trace.json) or a bare counterexample of a catalog scenario')
    .addOption(new Option('--render <what>', 'what to print').choices(['text', 'mermaid', 'lifecycle', 'json']).default('text'))
    .option('--events', 'text: list the kernel events of each step')
    .option('--width <n>', 'text: widest thread column (default: 40, less with more than three threads)', wholeNumber('--width'))
    .option('--continue', 'when the schedule no longer fits the code: follow it as far as it fits, then explore on from there with DPOR')
    .option('--time-budget <duration>', 'with --continue: wall time of the search (default 60s)', durationIn('--time-budget'))
    .option('--minimize <duration>', `with --continue: wall time to minimize the counterexample found (default ${DEFAULT_MINIMIZE}; 0: keep it as found)`, durationIn('--minimize'))
    .addHelpText(
      'after',
      `
Prints the replay rendered (text: one column per thread; mermaid: a sequence diagram;
lifecycle: the spec machines as Mermaid state diagrams with the path highlighted; json:
the trace as recorded by the replay, to re-pin a file), then on stderr whether the
replay reproduced the file. Exit code 1 when the replay ends in a violation, 0 when it
ends without one (the defect is gone), 2 when the file is bad or its schedule no
longer fits the code.
With --continue, a schedule that no longer fits (a label changed) is followed up to
the step where it diverges (stderr names the step, what was expected and what was
found), and DPOR explores on below those steps until the first violation, which is
rendered as above (exit 1); 0 when that search ends without one, 4 when it stopped early.
${EXIT_CODES}`,
    )
    .action(async (file: string, o: ReplayOpts) => setCode(await replayCmd(ctx, file, o)));

  configure(program.command('coverage'))
    .description('spec coverage: drive every covering path of every machine on the port (spec/coverage.ts)')
    .option('--machine <names>', `machines, comma-separated (accepted: ${MACHINE_NAMES.join(', ')})`)
    .option('--out <dir>', 'output directory (writes coverage.paths.json; with --c, coverage.c.json)', 'out')
    .option('--c', 'coverage of the C instead: run the catalog on the seed and repaired variants and map what it reached onto vnode_pager.c (traces/ccoverage.ts)')
    .addHelpText('after', `\nExit code 1 when driving a path found a violation (with --c: never; the runs' violations are the main job's).\n${EXIT_CODES}`)
    .action(async (o: { machine?: string; out: string; c?: boolean }) => setCode(o.c ? await cCoverageCmd(ctx, o) : await coverageCmd(ctx, o)));

  configure(program.command('diagrams'))
    .description(`write the lifecycle diagrams of the spec machines (Mermaid markdown and SVG) to ${relative(process.cwd(), DIAGRAM_DIR) || DIAGRAM_DIR}`)
    .option('--check', 'write nothing; exit 1 when a committed diagram no longer matches its machine')
    .action(async (o: { check?: boolean }) => setCode(await diagramsCmd(ctx, o)));

  configure(program.command('mutants'))
    .description('hunt every mutant (impl/variants.ts: the repaired variant plus one plausible mistake) over the catalog and probes (properties/mutants.ts)')
    .argument('[mutant...]', 'mutant names (default: all)')
    .option('--variant <name>', 'refused: each mutant runs on its own variant (c included: the compiled seed is not edited; pagercheck diff SCENARIO --variant MUTANT compares a mutant with it)')
    .addHelpText('after', `\nA mutant is killed by the first scenario that shows a violation the repaired variant does not.\nExit code 1 when a mutant survives.\n${EXIT_CODES}`)
    .action(async (names: string[], o: { variant?: string }) => {
      if (o.variant !== undefined)
        throw new BadInput(`mutants: --variant ${o.variant.slice(0, 64)} is not accepted: a mutant is an edit of the port and runs on its own variant, and the compiled seed (c) is the seed's C unedited; accepted: mutants [MUTANT...] without --variant, or pagercheck diff SCENARIO --variant MUTANT to compare a mutant with the C`);
      setCode(await mutantsCmd(ctx, names));
    });

  configure(program.command('hunt'))
    .description('explore generated scenarios (properties/generate.ts) until the time is up; write each new distinct violation as a trace and its shrunk scenario (cli/hunt.ts)')
    .option('--time <duration>', 'how long to hunt (e.g. 30s, 10m)', durationIn('--time-budget'), duration('10m'))
    .option('--seed <n>', 'seed of the scenario generator: the same seed gives the same scenarios in the same order', wholeNumber('--seed'), 0)
    .option('--variant <name>', `the variant to hunt on (accepted: ${variantNames()})`, 'seed')
    .addOption(new Option('--callers <which>', 'lawful: callers keep the 2017 locking; any: also callers without the vnode lock').choices(['lawful', 'any']).default('lawful'))
    .option('--scenarios <n>', 'stop after N scenarios even if time remains (a hunt that replays exactly)', wholeNumber(1, 10_000_000))
    .option('--max-executions <n>', 'executions per scenario before its DPOR search is cut (default 1000)', wholeNumber('--max-executions'))
    .option('--random-phase <n>', 'executions of the seeded random phase (random walk and PCT) before a dpor or dfs search (default 16; 0 or --no-random-phase: none)', wholeNumber('--random-phase'))
    .option('--no-random-phase', 'no random phase before each DPOR search')
    .option('--no-spec', 'do not check conformance with the spec machines')
    .option('--out <dir>', 'directory for the findings (KEY.trace.json, KEY.scenario.json)', join('out', 'hunt'))
    .addHelpText('after', `\nA violation is new when its property and seed function:line were not seen before in this hunt.\nExit code 1 when a violation was found.\n${EXIT_CODES}`)
    .action(async (o: HuntCmdOpts) => {
      checkOutputDir('--out', o.out);
      setCode(await huntCmd(ctx.io, ctx.signal, o));
    });

  configure(program.command('diff'))
    .description('run each explored schedule on the port and on the compiled seed (variant c); report the first divergence of each (cli/diff.ts)')
    .argument('[scenario...]', 'catalog scenario or probe names, or scenario .json files (default: every one that runs on c; the others are listed as skipped)')
    .option('--variant <name>', 'the port side: seed, repaired or a mutant', 'seed')
    .addOption(new Option('--strategy <name>', 'search strategy of the port (default dpor)').choices([...DIFF_STRATEGIES]))
    .option('--max-executions <n>', 'most schedules per scenario (default: unlimited for dpor, dfs and bounded; 10000 for pct and random)', wholeNumber('--max-executions'))
    .option('--time-budget <duration>', 'wall time per scenario (e.g. 30s, 2m)', durationIn('--time-budget'))
    .option('--seed <n>', 'seed of the pct and random strategies (default 0)', wholeNumber('--seed'))
    .option('--out <dir>', 'directory for the divergences (NAME.diff.json and NAME.diff.txt)', join('out', 'diff'))
    .addHelpText('after', `\nExit code 1 when a schedule diverges (steps, kernel events, end status or final kernel state differ).\nA named scenario that reaches a function not yet running on c is refused (exit 2).\n${EXIT_CODES}`)
    .action(async (names: string[], o: DiffCmdOpts) => {
      checkOutputDir('--out', o.out);
      setCode(await diffCmd(ctx.io, ctx.signal, names, o));
    });

  configure(program.command('report'))
    .description('write the self-contained HTML report from trace files')
    .argument('[traces...]', 'trace files or directories of them, bare counterexamples included (default: out/traces if it exists, else the pinned traces and findings under traces/)')
    .option('--coverage <files...>', 'coverage files (default: out/coverage.catalog.json and out/coverage.paths.json when present)')
    .option('--out <file>', 'the report file', join('out', 'report.html'))
    .action(async (paths: string[], o: { coverage?: string[]; out: string }) => setCode(await reportCmd(ctx, paths, o)));

  return program;
}

/* ---- explore and the main job ---- */

interface ExploreOpts {
  variant: string;
  strategy?: Bounds['strategy'];
  preemptions?: number;
  depth?: number;
  maxExecutions?: number;
  maxSteps?: number;
  seed?: number;
  timeBudget?: number;
  /** A count, or false for --no-random-phase. */
  randomPhase?: number | false;
  /** explore only: checker/reductions.ts. */
  reduction?: string;
  out: string;
  first?: boolean;
  spec: boolean;
  races?: boolean;
  minimize: number;
}

function checkBounds(o: ExploreOpts): Bounds {
  if (o.preemptions !== undefined && o.strategy !== undefined && o.strategy !== 'bounded')
    throw new BadInput(`--preemptions applies to --strategy bounded, not ${o.strategy}; accepted: --strategy bounded --preemptions N`);
  if (o.depth !== undefined && o.strategy !== undefined && o.strategy !== 'pct') throw new BadInput(`--depth applies to --strategy pct, not ${o.strategy}; accepted: --strategy pct --depth N`);
  if (o.preemptions !== undefined && o.depth !== undefined) throw new BadInput('--preemptions (strategy bounded) and --depth (strategy pct) exclude each other; accepted: one of them');
  return {
    ...(o.strategy !== undefined ? { strategy: o.strategy } : {}),
    ...(o.preemptions !== undefined ? { preemptions: o.preemptions } : {}),
    ...(o.depth !== undefined ? { depth: o.depth } : {}),
    ...(o.maxExecutions !== undefined ? { maxExecutions: o.maxExecutions } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.timeBudget !== undefined ? { timeBudgetMs: o.timeBudget } : {}),
    ...(o.randomPhase !== undefined ? { randomPhase: o.randomPhase === false ? 0 : o.randomPhase } : {}),
    ...(o.reduction !== undefined ? { reduction: o.reduction } : {}),
  };
}

interface Plan {
  readonly scenarios: ReturnType<typeof resolveScenarios>;
  readonly variants: readonly string[];
  readonly bounds: Bounds;
  readonly checks: Checks;
  readonly first: boolean;
  readonly minimizeMs: number;
}

/** Runs every scenario on every variant; stops early (keeping the results) on Ctrl-C. */
async function runPlan(ctx: Ctx, plan: Plan, tally = emptyTally(), ccov?: CCollector): Promise<RunResult[]> {
  const progress = makeProgress(ctx.io);
  const results: RunResult[] = [];
  for (const variant of plan.variants) {
    for (const scenario of plan.scenarios) {
      if (ctx.interrupted()) return results;
      if (!runsOn(scenario, variant)) continue;
      const r = await runOne({ scenario, variant, bounds: plan.bounds, checks: plan.checks, first: plan.first, minimizeMs: plan.minimizeMs }, { signal: ctx.signal, progress, tally, ...(ccov ? { ccov } : {}) });
      results.push(r);
      if (r.violations.length > 0 || r.error !== undefined) ctx.io.err(`pagercheck: ${r.scenario}@${r.variant}: ${r.error !== undefined ? `error: ${oneLine(r.error).slice(0, 300)}` : r.violations.map((c) => violationKey(c.violation)).join('; ')}\n`);
    }
  }
  return results;
}

async function exploreCmd(ctx: Ctx, names: string[], o: ExploreOpts): Promise<number> {
  const bounds = checkBounds(o);
  const scenarios = resolveScenarios(names);
  for (const s of scenarios)
    try {
      randomPhaseOf(s, bounds);
      reductionOf(strategyOf(s, bounds), bounds, false);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
  const variants = resolveVariants(o.variant);
  // Named scenarios that cannot run on c are refused; of the whole catalog they are skipped and listed.
  if (names.length > 0 && !(names.length === 1 && names[0] === 'all')) refuseOffC(scenarios, variants);
  const skipped = skippedOffC(scenarios, variants);
  if (skipped !== null) ctx.io.err(`pagercheck: ${skipped}\n`);
  const plan: Plan = {
    scenarios,
    variants,
    bounds,
    checks: { spec: o.spec, races: o.races === true },
    first: o.first === true,
    minimizeMs: o.minimize,
  };
  const results = await runPlan(ctx, plan);
  ctx.io.out(summaryTable(results));
  const { value: files, lost } = writeOrKeep('--out', o.out, (d) => writeTraces(results, d));
  if (files.length) ctx.io.out(`\n${files.length} trace${files.length === 1 ? '' : 's'} written:\n${files.map((f) => `  ${f}`).join('\n')}\nreplay one with: pagercheck replay ${files[0]}\n`);
  if (lost !== null) {
    ctx.io.err(`pagercheck: ${lost}\n`);
    return EXIT_BAD_INPUT;
  }
  return exitFor(ctx, results, results.some((r) => r.violations.length > 0));
}

function exitFor(ctx: Ctx, results: readonly RunResult[], violated: boolean): number {
  if (results.some((r) => r.error !== undefined)) return EXIT_INTERNAL;
  if (violated) return EXIT_VIOLATION;
  if (ctx.interrupted()) return EXIT_INTERRUPTED;
  // A run that explored nothing or stopped early shows no absence of defects: not 0.
  if (results.some((r) => r.violations.length === 0 && stoppedEarly(r) !== null)) return EXIT_INCOMPLETE;
  return EXIT_OK;
}

interface MainJobOpts {
  out: string;
  timeBudget: number;
  maxExecutions?: number;
  strict?: boolean;
  spec: boolean;
  minimize: number;
  randomPhase?: number | false;
  variant?: string;
}

async function mainJob(ctx: Ctx, o: MainJobOpts): Promise<number> {
  const variants =
    o.variant !== undefined
      ? resolveVariants(o.variant)
      : allVariants()
          .filter((v) => v.kind === 'seed' || v.kind === 'repaired')
          .map((v) => v.name);
  const repaired = allVariants().filter((v) => v.kind === 'repaired');
  const skipped = skippedOffC(CATALOG, variants);
  if (skipped !== null) ctx.io.err(`pagercheck: ${skipped}\n`);
  const plan: Plan = {
    scenarios: [...CATALOG],
    variants,
    bounds: { timeBudgetMs: o.timeBudget, ...(o.maxExecutions !== undefined ? { maxExecutions: o.maxExecutions } : {}), ...(o.randomPhase !== undefined ? { randomPhase: o.randomPhase === false ? 0 : o.randomPhase } : {}) },
    checks: { ...DEFAULT_CHECKS, spec: o.spec },
    first: false,
    minimizeMs: o.minimize,
  };
  ctx.io.err(
    `pagercheck: ${plan.scenarios.length} scenarios on ${variants.join(', ')}${repaired.length === 0 ? ' (no repaired variant is registered yet)' : ''}; up to ${(o.timeBudget / 1000).toFixed(0)} s each; Ctrl-C stops and keeps what was found\n`,
  );
  const tally = emptyTally();
  const ccov = new CCollector({ v8: true });
  const results = await runPlan(ctx, plan, tally, ccov);
  ctx.io.out(summaryTable(results));
  const { value: files, lost } = writeOrKeep('--out', join(o.out, 'traces'), (traceDir) => {
    if (existsSync(traceDir)) for (const f of readdirSync(traceDir)) if (f.endsWith('.trace.json')) rmSync(join(traceDir, f));
    mkdirSync(traceDir, { recursive: true });
    return writeTraces(results, traceDir);
  });
  if (lost !== null) {
    // The traces are kept; the rest of the outputs would fail the same way.
    ctx.io.err(`pagercheck: ${lost}\n`);
    return EXIT_BAD_INPUT;
  }
  const traceDir = join(o.out, 'traces');
  const what = `${new Set(results.map((r) => r.scenario)).size} catalog scenarios on ${variants.join(', ')}${ctx.interrupted() ? ' (interrupted)' : ''}`;
  // Without the spec nothing followed the machines: no coverage to report.
  const coverage = o.spec ? coverageFromTally(tally, what) : null;
  const covFile = join(o.out, 'coverage.catalog.json');
  if (coverage) writeFileSync(covFile, compactJson(coverage) + '\n');
  else rmSync(covFile, { force: true });
  writeFileSync(join(o.out, 'summary.json'), compactJson(summaryRows(results)) + '\n');
  const cdata = ccov.data(what);
  writeFileSync(join(o.out, 'coverage.c.json'), compactJson(cdata) + '\n');
  const traces = files.map((f) => ({ file: f, trace: loadTrace(f) }));
  const report = join(o.out, 'report.html');
  writeFileSync(report, await buildReport({ title: 'pagercheck: the catalog on the seed and repaired variants', subtitle: what, summary: summaryRows(results), coverage: coverage ? [coverage] : [], ccoverage: cdata, traces }));
  if (coverage) ctx.io.out(`\n${coverageText(coverage)}`);
  ctx.io.out(`\n${cSummaryLine(cdata)}`);
  const expected = results.filter((r) => r.violations.length > 0 && r.unexpected.length === 0);
  const unexpected = results.filter((r) => r.unexpected.length > 0);
  const missing = results.filter((r) => r.complete).flatMap((r) => expectedViolations(r.scenario, r.variant).filter((p) => !r.violated.includes(p)).map((p) => `${r.scenario}@${r.variant}: ${p}`));
  ctx.io.out(
    `\n${files.length} trace${files.length === 1 ? '' : 's'} in ${traceDir}; report: ${report}\n` +
      (expected.length ? `${expected.length} run${expected.length === 1 ? '' : 's'} found only expected violations (the seed's findings, traces/findings/).\n` : '') +
      (unexpected.length ? `UNEXPECTED violations in ${unexpected.map((r) => `${r.scenario}@${r.variant} (${r.unexpected.join(', ')})`).join('; ')}\n` : 'no unexpected violation.\n') +
      (missing.length ? `note: expected but not found (the port changed?): ${missing.join('; ')}\n` : ''),
  );
  const violated = o.strict === true ? results.some((r) => r.violations.length > 0) : unexpected.length > 0;
  return exitFor(ctx, results, violated);
}

/* ---- replay ---- */

interface ReplayOpts {
  render: string;
  events?: boolean;
  width?: number;
  continue?: boolean;
  timeBudget?: number;
  minimize?: number;
}

async function replayCmd(ctx: Ctx, file: string, o: ReplayOpts): Promise<number> {
  if (o.continue !== true && (o.timeBudget !== undefined || o.minimize !== undefined))
    throw new BadInput(`${o.timeBudget !== undefined ? '--time-budget' : '--minimize'} bounds the search of replay --continue; accepted: replay FILE --continue ${o.timeBudget !== undefined ? '--time-budget' : '--minimize'} DURATION, or neither`);
  if (o.continue === true) {
    const input = loadReplayInput(file);
    refuseOffC([input.scenario], [input.counterexample.variant ?? 'seed']);
    const c = await continueReplay(input, { timeBudgetMs: o.timeBudget ?? 60_000, minimizeMs: o.minimize ?? duration(DEFAULT_MINIMIZE) }, { signal: ctx.signal, progress: makeProgress(ctx.io) }, file);
    if (c.diverged !== null) return continuedReplay(ctx, file, o, c);
    ctx.io.err(`pagercheck: ${file}: the schedule fits the code: replayed as recorded, nothing to continue\n`);
  }
  const trace = loadTrace(file);
  refuseOffC([trace.scenario], [trace.counterexample.variant ?? 'seed']);
  let check: ReturnType<typeof replayTrace>;
  try {
    check = replayTrace(trace);
  } catch (e) {
    if (e instanceof TraceDivergence) throw new BadInput(`${file}: ${e.message}; the trace no longer fits the code (accepted: a trace recorded on this version, or replay --continue to explore on from where it diverges)`);
    throw e;
  }
  const t = check.recorded.trace;
  ctx.io.out(rendered(t, o));
  const ended = check.recorded.ended;
  if (check.sameViolation) {
    ctx.io.err(`pagercheck: replayed ${file}: the same violation (${violationKey(trace.counterexample.violation)})${check.firstDifference ? `; but the steps differ from the file: ${check.firstDifference}` : '; every step as recorded'}\n`);
    return EXIT_VIOLATION;
  }
  ctx.io.err(`pagercheck: replayed ${file}: the recorded violation (${violationKey(trace.counterexample.violation)}) did not happen; the execution ended with ${ended}\n`);
  return ended === 'ok' ? EXIT_OK : ended.startsWith('error') ? EXIT_INTERNAL : EXIT_VIOLATION;
}

/** A trace rendered as --render asks; the kernel fields each step changed come from one more replay (traces/kstate.ts). */
function rendered(t: Trace, o: ReplayOpts): string {
  const kernel = o.render === 'text' || o.render === 'mermaid' ? kernelDiffs(t) : undefined;
  if (o.render === 'json') return traceText(t);
  if (o.render === 'mermaid') return renderSequence(t, { kernel });
  if (o.render === 'lifecycle') return renderLifecycle(t);
  return renderText(t, { ...(o.width !== undefined ? { columnWidth: o.width } : {}), events: o.events === true, kernel });
}

/** replay --continue after a divergence: where, what the search below it found, rendered as a replay is. */
function continuedReplay(ctx: Ctx, file: string, o: ReplayOpts, c: Continued): number {
  const d = c.diverged!;
  const r = c.result!;
  // The search refused what the file gave it (its bounds): bad input, as a plain replay of it would be.
  if (r.error?.startsWith('bad-input: ')) throw new BadInput(`${file}: ${r.error.slice('bad-input: '.length)}`);
  const recorded = violationKey(loadReplayInput(file).counterexample.violation);
  ctx.io.err(`pagercheck: ${file}: the schedule no longer fits at step ${d.step}: ${d.message.replace(/^replay diverged at step \d+: /, '')}; explored on with DPOR below the ${c.followed} step${c.followed === 1 ? '' : 's'} that fit\n`);
  const t = r.traces[0];
  if (t !== undefined) ctx.io.out(rendered(t, o));
  else ctx.io.out(summaryTable([r]));
  if (r.error !== undefined) {
    ctx.io.err(`pagercheck: ${oneLine(r.error).slice(0, 300)}\n`);
    return EXIT_INTERNAL;
  }
  if (r.violations.length > 0) {
    const key = violationKey(r.violations[0]!.violation);
    ctx.io.err(`pagercheck: found ${key} after ${r.executions} execution${r.executions === 1 ? '' : 's'} below step ${c.followed}: ${key === recorded ? 'the recorded violation' : `not the recorded one (${recorded})`}; re-pin with: pagercheck replay ${file} --continue --render json > NEW\n`);
    return EXIT_VIOLATION;
  }
  const early = stoppedEarly(r);
  ctx.io.err(`pagercheck: no violation below step ${c.followed} (${r.executions} execution${r.executions === 1 ? '' : 's'}${early !== null ? `; stopped early: ${early.why}` : ', every one'}); the recorded ${recorded} did not happen there\n`);
  if (ctx.interrupted()) return EXIT_INTERRUPTED;
  return early !== null ? EXIT_INCOMPLETE : EXIT_OK;
}

/* ---- coverage, diagrams, mutants ---- */

async function coverageCmd(ctx: Ctx, o: { machine?: string; out: string }): Promise<number> {
  const machines = o.machine === undefined ? MACHINE_NAMES : o.machine.split(',').map((m) => m.trim());
  for (const m of machines) if (!(MACHINE_NAMES as readonly string[]).includes(m)) throw new BadInput(`unknown machine "${m}"; accepted: ${MACHINE_NAMES.join(', ')} (comma-separated)`);
  const { machineCoverage, coverageReport } = await import('../spec/coverage.ts');
  const results = [];
  for (const m of machines as MachineName[]) {
    const t0 = performance.now();
    ctx.io.err(`pagercheck: driving the covering paths of ${m}...\n`);
    const c = machineCoverage(m);
    results.push(c);
    ctx.io.err(`pagercheck: ${m}: ${c.paths.length} paths, ${c.replays} replays, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const data = coverageFromPaths(results, `covering paths of ${machines.join(', ')}`);
  mkdirSync(o.out, { recursive: true });
  const file = join(o.out, 'coverage.paths.json');
  writeFileSync(file, compactJson(data) + '\n');
  ctx.io.out(coverageText(data));
  ctx.io.out(coverageReport(results) + '\n');
  ctx.io.out(`\nwritten: ${file}\n`);
  return results.some((c) => c.paths.some((p) => p.realization?.kind === 'violation')) ? EXIT_VIOLATION : EXIT_OK;
}

/** `coverage --c`: the main job's runs with V8 block coverage on, no minimization or traces; writes OUT/coverage.c.json. */
async function cCoverageCmd(ctx: Ctx, o: { machine?: string; out: string }): Promise<number> {
  if (o.machine !== undefined) throw new BadInput('--machine selects spec machines, which --c does not use; accepted: coverage --c, or coverage --machine NAMES');
  const variants = allVariants()
    .filter((v) => v.kind === 'seed' || v.kind === 'repaired')
    .map((v) => v.name);
  const ccov = new CCollector({ v8: true });
  let results: RunResult[];
  try {
    results = await runPlan(ctx, { scenarios: [...CATALOG], variants, bounds: { timeBudgetMs: 60_000 }, checks: DEFAULT_CHECKS, first: false, minimizeMs: 0 }, emptyTally(), ccov);
  } finally {
    ccov.close();
  }
  const data = ccov.data(`${new Set(results.map((r) => r.scenario)).size} catalog scenarios on ${variants.join(', ')}${ctx.interrupted() ? ' (interrupted)' : ''}`);
  mkdirSync(o.out, { recursive: true });
  const file = join(o.out, 'coverage.c.json');
  writeFileSync(file, compactJson(data) + '\n');
  ctx.io.out(cCoverageText(data));
  ctx.io.out(`\nwritten: ${file}\n`);
  if (results.some((r) => r.error !== undefined)) return EXIT_INTERNAL;
  return ctx.interrupted() ? EXIT_INTERRUPTED : EXIT_OK;
}

async function diagramsCmd(ctx: Ctx, o: { check?: boolean }): Promise<number> {
  if (!o.check) {
    const written = await writeDiagrams();
    ctx.io.out(written.length ? `written:\n${written.map((f) => `  ${relative(process.cwd(), f)}`).join('\n')}\n` : `diagrams up to date in ${relative(process.cwd(), DIAGRAM_DIR)}\n`);
    return EXIT_OK;
  }
  const stale = (await staleDiagrams()).map((p) => relative(process.cwd(), p));
  if (stale.length) {
    ctx.io.out(`out of date (run pagercheck diagrams):\n${stale.map((f) => `  ${f}`).join('\n')}\n`);
    return EXIT_VIOLATION;
  }
  ctx.io.out('every diagram matches its machine\n');
  return EXIT_OK;
}

async function mutantsCmd(ctx: Ctx, names: string[]): Promise<number> {
  const { allMutants, hunt } = await import('../properties/mutants.ts');
  const all = allMutants();
  for (const n of names) if (!all.includes(n)) throw new BadInput(`unknown mutant "${n}"; accepted: ${all.join(', ') || '(none registered)'}`);
  const chosen = names.length ? all.filter((m) => names.includes(m)) : all;
  if (chosen.length === 0) {
    ctx.io.out('no mutants are registered (impl/variants.ts MUTATIONS); nothing to run\n');
    return EXIT_OK;
  }
  const rows: string[] = [];
  let survived = 0;
  let error = false;
  let ran = 0;
  for (const m of chosen) {
    // hunt() runs synchronously; Ctrl-C is seen between mutants.
    await new Promise<void>((r) => setImmediate(r));
    if (ctx.interrupted()) break;
    ctx.io.err(`pagercheck: hunting ${m} (${ran + 1}/${chosen.length})...\n`);
    const k = hunt(m);
    ran++;
    const took = `${groupDigits(k.totalExecutions)} executions, ${(k.totalMs / 1000).toFixed(1)} s`;
    if (k.error !== undefined) {
      error = true;
      rows.push(`  ERROR     ${m}: harness error in ${k.scenario}: ${k.error}`);
    } else if (k.killed) rows.push(`  killed    ${m}  by ${k.scenario} (${k.strategy}): ${k.property}  [${took}]`);
    else {
      survived++;
      rows.push(`  SURVIVED  ${m}  [${took}]`);
    }
  }
  ctx.io.out(`mutants: ${ran - survived - (error ? 1 : 0)} of ${ran} killed${ran < chosen.length ? ` (interrupted after ${ran} of ${chosen.length})` : ''}\n${rows.join('\n')}\n`);
  if (error) return EXIT_INTERNAL;
  if (survived > 0) return EXIT_VIOLATION;
  return ctx.interrupted() ? EXIT_INTERRUPTED : EXIT_OK;
}

/* ---- report ---- */

async function reportCmd(ctx: Ctx, paths: string[], o: { coverage?: string[]; out: string }): Promise<number> {
  const defaultDir = join('out', 'traces');
  const sources = paths.length ? paths : existsSync(defaultDir) ? [defaultDir] : [PINNED_DIR];
  checkOutputFile('--out', o.out);
  const files = sources.flatMap((p) => traceFiles(p, true));
  // A bad file is left out and named at the end, not the end of the report.
  const traces: { file: string; trace: Trace }[] = [];
  const bad: string[] = [];
  for (const f of files) {
    try {
      traces.push({ file: f, trace: loadTrace(f) });
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      bad.push(e.message);
    }
  }
  const covFiles = o.coverage ?? [join('out', 'coverage.catalog.json'), join('out', 'coverage.paths.json')].filter((f) => existsSync(f));
  const coverage: CoverageData[] = [];
  for (const f of covFiles) {
    try {
      coverage.push(loadCoverage(f));
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
  }
  const cfile = join('out', 'coverage.c.json');
  let ccoverage: CCoverageData | undefined;
  if (existsSync(cfile)) {
    try {
      ccoverage = loadCCoverage(cfile);
    } catch (e) {
      throw new BadInput((e as Error).message);
    }
  }
  const html = await buildReport({ title: 'pagercheck report', subtitle: `${traces.length} trace${traces.length === 1 ? '' : 's'} from ${sources.join(', ')}`, coverage, ...(ccoverage ? { ccoverage } : {}), traces });
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, html);
  ctx.io.out(`report: ${o.out} (${traces.length} counterexample${traces.length === 1 ? '' : 's'}${coverage.length ? `, coverage from ${covFiles.map((f) => basename(f)).join(', ')}` : ', no coverage data'})\n`);
  if (bad.length > 0) {
    ctx.io.err(`pagercheck: the report leaves out ${bad.length} of ${files.length} file${files.length === 1 ? '' : 's'} that could not be loaded; ${clip(oneLine(bad[0]!), 360)}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}\n`);
    return EXIT_BAD_INPUT;
  }
  return EXIT_OK;
}
