import { describe, expect, it } from 'vitest';
import { KernelAssertion } from '../../checker/op.ts';
import { KASSERT, kprintf, panic } from './kassert.ts';

describe('KASSERT and panic', () => {
  it('format the C printf conversions the seed uses', () => {
    expect(kprintf('OBJ_DISCONNECTWNT set obj %p flags %x', ['obj1', 0x2a])).toBe('OBJ_DISCONNECTWNT set obj obj1 flags 2a');
    expect(kprintf('%s: reqblock %jd after %d size %ju', ['f', -1, 3, 2 ** 40])).toBe(`f: reqblock -1 after 3 size ${2 ** 40}`);
    expect(kprintf('100%% %lu', [7])).toBe('100% 7');
  });
  it('throw a KernelAssertion naming the function and seed line only when the condition is false', () => {
    expect(() => KASSERT(true, 'f', 10, 'never %d', 1)).not.toThrow();
    let e: unknown;
    try {
      KASSERT(false, 'vnode_pager_alloc', 251, 'leaked ref %p %d', 'obj2', 3);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(KernelAssertion);
    expect(e).toMatchObject({ kind: 'KASSERT', fn: 'vnode_pager_alloc', msg: 'leaked ref obj2 3', line: 251 });
    expect(() => panic('vnode_pager_dealloc', 283, 'vnode_pager_dealloc: pager already dealloced')).toThrow(
      'panic in vnode_pager_dealloc (seed line 283): vnode_pager_dealloc: pager already dealloced',
    );
  });
});
