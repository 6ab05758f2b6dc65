/*
 * Replay of a recorded schedule: runs exactly the recorded (thread, step,
 * choices) sequence and checks at each step that the thread is ready and
 * about to run the recorded step. Any difference stops the replay with a
 * ReplayDivergence naming the step, what was expected and what was found.
 * Counts preemptions (switches away from a thread that could still run) on
 * the way, which is how a counterexample's preemption count is measured.
 */
import type { ExecutionResult, ExecutionView, StepRecord, ThreadView } from '../runtime.ts';
import type { ScheduleStep } from '../counterexample.ts';
import { describeThread, ReplayDivergence, type Strategy, type StrategyInfo } from '../strategy.ts';

export class ReplayStrategy implements Strategy {
  readonly name = 'replay';
  readonly exhaustive = false;
  complete = false;
  preemptions = 0;
  private ran = false;
  /** Index of the step being run, -1 while the setup runs. */
  private current = -1;
  private choiceIndex = 0;
  private setupChoiceIndex = 0;

  constructor(
    private readonly schedule: readonly ScheduleStep[],
    private readonly setupChoices: readonly number[] = [],
  ) {}

  beginExecution(): boolean {
    if (this.ran) return false;
    this.ran = true;
    return true;
  }

  pickThread(ready: readonly ThreadView[], exec: ExecutionView): number {
    const s = exec.steps.length;
    if (s === 0 && this.setupChoiceIndex < this.setupChoices.length)
      throw new ReplayDivergence(0, `${this.setupChoices.length} choices during setup`, `the setup made ${this.setupChoiceIndex}`);
    const want = this.schedule[s];
    if (want === undefined) {
      throw new ReplayDivergence(s, `the execution to end after ${this.schedule.length} steps`, `it goes on: ${ready.map((r) => `${r.name} is ready at "${r.op.label}"`).join('; ')}`);
    }
    const t = ready.find((r) => r.tid === want.tid);
    if (t === undefined) throw new ReplayDivergence(s, `${want.thread} to run "${want.label}"`, describeThread(exec, want.tid));
    if (t.name !== want.thread || t.op.label !== want.label) throw new ReplayDivergence(s, `${want.thread} to run "${want.label}"`, `thread #${want.tid} is ${t.name} about to run "${t.op.label}"`);
    const last = exec.lastTid;
    if (last >= 0 && last !== t.tid && ready.some((r) => r.tid === last)) this.preemptions++;
    this.current = s;
    this.choiceIndex = 0;
    return t.tid;
  }

  pickChoice(n: number, label: string): number {
    if (this.current < 0) {
      const v = this.setupChoices[this.setupChoiceIndex++];
      if (v === undefined || v >= n) throw new ReplayDivergence(0, `setup choice #${this.setupChoiceIndex - 1} in the recording`, v === undefined ? `the setup asks for "${label}" beyond the recorded choices` : `"${label}" has only ${n} options, recorded ${v}`);
      return v;
    }
    const step = this.schedule[this.current]!;
    const v = step.choices?.[this.choiceIndex++];
    if (v === undefined) throw new ReplayDivergence(this.current, `${step.choices?.length ?? 0} choices in "${step.label}"`, `the step asks for another ("${label}")`);
    if (v >= n) throw new ReplayDivergence(this.current, `choice ${v} for "${label}"`, `it has only ${n} options`);
    return v;
  }

  onStep(rec: StepRecord): void {
    const step = this.schedule[this.current]!;
    const want = step.choices?.length ?? 0;
    if (this.choiceIndex !== want) throw new ReplayDivergence(this.current, `${want} choices in "${step.label}"`, `the step made ${this.choiceIndex}`);
    void rec;
  }

  endExecution(result: ExecutionResult<unknown> | null): void {
    if (result === null) return;
    if (result.steps.length < this.schedule.length) {
      const st = result.result;
      const how = st.status === 'violation' ? `a violation: ${st.violation.kind}` : st.status === 'error' ? 'an error' : 'all threads finished';
      throw new ReplayDivergence(result.steps.length, `${this.schedule.length} steps`, `the execution ended after ${result.steps.length} (${how})`);
    }
    this.complete = true;
  }

  counters(): Readonly<Record<string, number>> {
    return { preemptions: this.preemptions };
  }

  info(): StrategyInfo {
    return { strategy: 'replay', bounds: {} };
  }
}
