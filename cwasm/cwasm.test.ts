import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { inputsHash } from './inputs.mjs';
import { diffScenario } from './diff.ts';
import { READ_STEPS } from './fields.ts';
import { CATALOG, PROBES, catalogScenario } from '../properties/catalog.ts';
import { CRefused, RUNNING, refused } from './cport.ts';
import { cRefusal } from './reach.ts';
import { scenario } from '../properties/scenario.ts';
import { buildProgram } from '../properties/program.ts';
import { explore } from '../checker/index.ts';
import { variantByName, allVariants, registerVariant, MUTATIONS } from '../impl/variants.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const map = JSON.parse(readFileSync(join(ROOT, 'cwasm/vnode_pager.map.json'), 'utf8')) as { inputs: string; accesses: Record<string, [string, number]> };
const haveClang = ['clang', 'wasm-ld'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

/* A truncation below two resident pages: vm_object_page_remove runs in the C. */
const SHRINK = scenario({
  name: 'c-shrink-resident',
  description: 'A truncation to 5000 bytes of a file with pages 1 to 3 resident and valid.',
  fs: { flavor: 'block', f_iosize: 4096 },
  file: { size: 16384 },
  initial: { object: true, mappings: 1, pages: [{ pindex: 1 }, { pindex: 2 }, { pindex: 3, dirty: true }] },
  threads: [
    { name: 'T1', ops: [{ op: 'setsize', size: 5000 }] },
    { name: 'T2', ops: [{ op: 'haspage', pindex: 1 }] },
  ],
});

describe('the compiled seed (cwasm/)', () => {
  it('was built from the current seed, shims and build script (the recorded hash)', () => {
    expect(map.inputs).toBe(inputsHash(ROOT));
  });

  it.skipIf(!haveClang)('rebuilds byte-identically with clang and lld', () => {
    const out = execFileSync('node', ['cwasm/build.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    expect(out).toContain('is up to date');
  }, 300_000);

  it('records the C function and seed line of every instrumented access; each line the policies name accesses that field there', () => {
    const seed = readFileSync(join(ROOT, 'seed/vnode_pager.c'), 'utf8').split('\n');
    const sites = Object.values(map.accesses);
    expect(sites.length).toBe(422);
    for (const [line, field] of Object.entries(READ_STEPS)) {
      expect(sites.some(([, l]) => l === Number(line))).toBe(true);
      expect(seed[Number(line) - 1]).toContain(`->${field.split('.').pop()}`);
    }
  });

  it('is variant c by name, not among the variants `all` and the main job run', () => {
    expect(variantByName('c').kind).toBe('compiled');
    expect(allVariants().some((v) => v.name === 'c')).toBe(false);
  });

  /*
   * Every DPOR schedule of the port replayed on c: steps, footprints, kernel
   * events, end status and kernel state equal. The counts are those measured
   * when written (cwasm/README.md), as lower bounds: a change of the port or
   * the kernel may add schedules, and every one must still agree.
   */
  it.each([
    ['haspage-vs-setsize', catalogScenario('haspage-vs-setsize'), 2, 27],
    ['alloc-race (vnode_create_vobject and vnode_pager_alloc, the interlock, the lost race)', catalogScenario('alloc-race'), 22, 638],
    ['alloc-vs-vgone (vnode_pager_dealloc through vm_object_terminate, the C entered again below the C)', catalogScenario('alloc-vs-vgone'), 9, 325],
    ['create-vs-destroy (vnode_destroy_vobject, vm_pager_deallocate)', catalogScenario('create-vs-destroy'), 3, 99],
    ['writemappings-vs-vgone', catalogScenario('writemappings-vs-vgone'), 10, 366],
    ['writemappings-race (update and release_writecount, the vnode lock, vhold, vn_start_write)', catalogScenario('writemappings-race'), 18, 492],
    ['unlocked-haspage-vs-setsize (the KASSERT at 365)', catalogScenario('unlocked-haspage-vs-setsize'), 5, 61],
    ['a truncation removing resident pages and zeroing the EOF page', SHRINK, 2, null],
    ['shrink-vs-getpages-eof (getpages: VOP_GETPAGES enters the C again, the pbuf, VOP_BMAP into bp->b_blkno, bstrategy, bwait, getpages_done)', catalogScenario('shrink-vs-getpages-eof'), 4, 104],
    ['unlocked-shrink-vs-getpages-eof (read-behind)', catalogScenario('unlocked-shrink-vs-getpages-eof'), 16, 474],
    ['getpages-async-vs-vgone (getpages_async: the iodone trampoline, getpages_done_async as b_iodone)', catalogScenario('getpages-async-vs-vgone'), 7, 339],
    ['small-block-fs (vnode_pager_input_smlfs, vnode_pager_addr, sf_buf)', catalogScenario('small-block-fs'), 12, 626],
    ['nobmap-fs (vnode_pager_input_old, VOP_READ into the C\'s uio)', catalogScenario('nobmap-fs'), 6, 196],
    ['getpages-async-bmap-error', catalogScenario('getpages-async-bmap-error'), 1, 14],
    ['two-faults-vs-truncate', catalogScenario('two-faults-vs-truncate'), 26, 926],
    ['setsize-vs-putpages (putpages: VOP_PUTPAGES enters the C again, generic_putpages, VOP_WRITE on the C\'s uio, the unlocked v_free_count step at 1168)', catalogScenario('setsize-vs-putpages'), 12, 470],
    ['create-vs-vgone (vgone launders a dirty page through putpages)', catalogScenario('create-vs-vgone'), 6, 301],
    ['io-errors', catalogScenario('io-errors'), 12, 484],
    ['msync-write-error (ppsratecheck and printf on the C\'s statics)', catalogScenario('msync-write-error'), 12, 475],
    ['short-write (the residual)', catalogScenario('short-write'), 6, 178],
    ['msync-enospc-hole', catalogScenario('msync-enospc-hole'), 1, 10],
    ['truncate-then-launder-enospc (the EOF page\'s dirty bits cleared at 1252)', catalogScenario('truncate-then-launder-enospc'), 1, 16],
  ] as const)('is the port on every schedule of %s', (_what, s, schedules, steps) => {
    const r = diffScenario(s);
    expect(r.complete).toBe(true);
    expect(r.divergences).toEqual([]);
    expect(r.schedules).toBeGreaterThanOrEqual(schedules);
    if (steps !== null) expect(r.steps).toBeGreaterThanOrEqual(steps);
  });

  it('tells a mutant of the port from the C without any property (mut-setsize-no-page-remove)', () => {
    const r = diffScenario(SHRINK, { portVariant: 'mut-setsize-no-page-remove' });
    /* The mutant makes no page-removal steps: every schedule differs from the C at a step (a footprint, or one that no longer fits), before the end. */
    expect(r.schedules).toBeGreaterThan(0);
    expect(r.divergences.length).toBe(r.schedules);
    expect(r.divergences.every((d) => typeof d.at === 'number' || d.at === 'replay')).toBe(true);
  });

  /*
   * Each mistake of the functions that run on c, applied to the seed port
   * alone (the mutants proper are the repaired variant plus the mistake, and
   * the repairs change these functions too), is told apart from the C by the
   * diff, with no property, on the first lifecycle scenario that reaches it.
   */
  it.each([
    ['mut-alloc-no-interlock-recheck', 'alloc-race'],
    ['mut-alloc-discard-keeps-ref', 'alloc-race'],
    ['mut-dealloc-no-disconnect-wakeup', 'unlocked-alloc-vs-vgone'],
    ['mut-dealloc-keeps-writecount', 'writemappings-vs-vgone'],
    ['mut-dealloc-no-vunref', 'alloc-vs-vgone'],
    ['mut-create-vobject-no-vrele', 'alloc-race'],
    ['mut-release-writecount-no-type-recheck', 'writemappings-vs-vgone'],
    ['mut-release-writecount-fast-path-at-zero', 'writemappings-vs-vgone'],
    ['mut-smlfs-keeps-pbuf', 'small-block-fs'],
    ['mut-async-done-wrong-pbuf-counter', 'getpages-async-vs-vgone'],
    ['mut-input-old-no-zero-tail', 'nobmap-fs'],
    ['mut-putpages-eof-clip-to-sector', 'setsize-vs-putpages'],
  ])('tells the seed with %s from the C on %s', (mutation, name) => {
    expect(MUTATIONS.some((m) => m.name === mutation)).toBe(true);
    const variant = `seed+${mutation}`;
    if (!allVariants().some((v) => v.name === variant)) registerVariant({ name: variant, kind: 'mutant', description: `the seed with ${mutation}`, patches: [mutation] });
    const r = diffScenario(catalogScenario(name), { portVariant: variant });
    expect(r.divergences.length).toBeGreaterThan(0);
    expect(diffScenario(catalogScenario(name)).divergences).toEqual([]);
  });

  it('finds the seed\'s KASSERT at 365 on the unlocked-haspage probe, with the port\'s message', () => {
    const o = explore(buildProgram(catalogScenario('unlocked-haspage-vs-setsize'), { variant: 'c' }), { strategy: { kind: 'dpor' }, stopOnViolation: false, races: false });
    expect(o.status).toBe('violation');
    expect(JSON.stringify(o)).toContain('vnode_pager_haspage: reqblock 1 after 2 size 1');
  });

  it('explores as many executions on c as on the port', () => {
    const runs = ['seed', 'c'].map((v) => explore(buildProgram(catalogScenario('haspage-vs-setsize'), { variant: v }), { strategy: { kind: 'dpor' } }));
    expect(runs[1]!.status).toBe('ok');
    expect(runs[1]!.stats.executions).toBe(runs[0]!.stats.executions);
  });

  it('runs every function the catalog and the probes reach: no scenario is refused on c', () => {
    expect([...CATALOG, ...PROBES].map((x) => cRefusal(x)).filter((r) => r !== null)).toEqual([]);
  });

  it('refuses an entry point the compiled seed does not provide, in one line naming it and what runs', () => {
    expect(() => refused('vnode_pager_example').next()).toThrow(new CRefused(`variant c: vnode_pager_example does not run on the compiled seed yet; running: ${RUNNING.join(', ')}`));
    expect(RUNNING).toContain('vnode_pager_generic_putpages');
  });
});
