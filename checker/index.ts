/*
 * The checker's public API. Everything else is reachable by its own module,
 * but callers (cli/, properties/, traces/, a user's own program file) should
 * need only this: the protocol (Op, Ctx, KThread), the synchronisation
 * vocabulary (sync.ts), the runners, and the split search with its resolvers.
 */
export { KernelAssertion, HarnessBug } from './op.ts';
export type { Access, Count, Ctx, KThread, Op, OpKind, ThreadId } from './op.ts';
export { Mutex, RwLock, Cell, Channel, RefCount, lock, unlock, rlock, runlock, wlock, wunlock, access, load, store, cas, rmw, sleep, wakeup, refAcquire, refAcquireIfNotZero, refReleaseIfNotLast, refRelease, refRead } from './sync.ts';
export { exploreParallel, runTasks } from './parallel.ts';
export type { ParallelOptions, ParallelRun } from './parallel.ts';
export { runShard, mergeShards, parseShard, parseShardReport, verifyReport } from './shard.ts';
export type { Shard, ShardReport } from './shard.ts';
export { exploreCheckpointed, readCheckpoint, verifyCheckpoint } from './checkpoint.ts';
export { trustResolver } from './integrity.ts';
export { readInputText, InputRefused, MAX_INPUT_BYTES } from './input.ts';
export { loadResolver, planTasks, registerResolver, resolveProgram } from './tasks.ts';
export type { ProgramRef, ProgramResolver, RefData, ResolvedProgram, TaskOptions, TaskResult } from './tasks.ts';
export { explore, exploreAsync, Explorer, makeStrategy, STRATEGY_KINDS } from './explore.ts';
export type { ExploreError, ExploreOptions, Outcome, Progress, Stats, StrategySpec } from './explore.ts';
export { parseCounterexample, replay, runSchedule, scheduleOf, violationKey } from './counterexample.ts';
export type { Counterexample, ReplayOptions, ReplayOutcome, ScheduleStep } from './counterexample.ts';
export { minimize, compareMeasure } from './minimize.ts';
export type { Measure, Minimized, MinimizeOptions } from './minimize.ts';
export { conflicts, dependent } from './dependency.ts';
export { formatExecution } from './format.ts';
export { RaceDetector, RaceMonitor, withRaces, isSyncResource } from './races.ts';
export { ExecutionCut, Nondeterminism, ReplayDivergence } from './strategy.ts';
export type { Strategy, StrategyInfo } from './strategy.ts';
export { DporStrategy } from './strategies/dpor.ts';
export { DfsStrategy } from './strategies/dfs.ts';
export { BoundedStrategy } from './strategies/bounded.ts';
export { PctStrategy } from './strategies/pct.ts';
export { RandomStrategy } from './strategies/random.ts';
export { ReplayStrategy } from './strategies/replay.ts';
export { Prng } from './prng.ts';
export { countTraces, traceSignature } from './mazurkiewicz.ts';
export * from './runtime.ts';
