/*
 * Resource names interned to dense small integers, in first-seen order: the
 * one interner of the checker. DPOR (through dependency.ts's ResourceTable)
 * and the race detector (races.ts) each keep their own instance, as each
 * keeps its own per-resource arrays indexed by these ids.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  /* Last name looked up: consecutive steps mostly name the same resource, so this skips the Map. */
  private lastName = '';
  private lastId = -1;

  /** The id of `name`; `fresh` is called with it the first time a name is seen (to size per-id arrays). */
  id(name: string, fresh?: (id: number, name: string) => void): number {
    if (name === this.lastName && this.lastId >= 0) return this.lastId;
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.ids.set(name, i);
      this.names.push(name);
      if (fresh !== undefined) fresh(i, name);
    }
    this.lastName = name;
    this.lastId = i;
    return i;
  }

  get size(): number {
    return this.names.length;
  }
}
