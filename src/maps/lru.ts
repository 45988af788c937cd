/**
 * Recency lists for LRU hash maps.
 *
 * Policy (ebee's, documented because Linux only approximates LRU): an element is
 * *used* when a program looks it up (`bpf_map_lookup_elem`,
 * `bpf_map_lookup_percpu_elem`) and when it is created or updated from either side.
 * Syscall-side lookups, getNextKey and batch lookups do not count, as in Linux, where
 * only the program-side lookup sets an element's reference bit. When an insertion
 * finds its list full, the least recently used element of that list is evicted: exact
 * LRU.
 *
 * Linux's list is an approximation (active and inactive lists, a reference bit giving
 * a second chance, free nodes handed to CPUs in batches), so under pressure it may
 * evict an element ebee would keep, and a map shared by many CPUs can evict before it
 * is full. With BPF_F_NO_COMMON_LRU each CPU has its own list of max_entries / CPUs
 * elements; an element belongs to the list of the CPU that created it, and an insertion
 * evicts from the inserting CPU's list only, as in Linux.
 */
export class LruLists {
  /** Elements each list may hold. */
  readonly perList: number;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly owner: Int32Array;
  private readonly heads: Int32Array;
  private readonly tails: Int32Array;
  private readonly counts: Int32Array;

  constructor(capacity: number, lists: number) {
    this.perList = Math.floor(capacity / lists);
    this.prev = new Int32Array(capacity).fill(-1);
    this.next = new Int32Array(capacity).fill(-1);
    this.owner = new Int32Array(capacity).fill(-1);
    this.heads = new Int32Array(lists).fill(-1);
    this.tails = new Int32Array(lists).fill(-1);
    this.counts = new Int32Array(lists);
  }

  /** Elements in list `list`. */
  count(list: number): number {
    return this.counts[list]!;
  }

  /** True when list `list` cannot take another element. */
  full(list: number): boolean {
    return this.counts[list]! >= this.perList;
  }

  /** Adds a slot to `list` as the most recently used. */
  add(slot: number, list: number): void {
    this.owner[slot] = list;
    this.counts[list]!++;
    this.linkHead(slot, list);
  }

  /** Marks a slot as the most recently used of its list. */
  touch(slot: number): void {
    const list = this.owner[slot]!;
    if (list < 0 || this.heads[list] === slot) return;
    this.unlink(slot, list);
    this.linkHead(slot, list);
  }

  /** Removes a slot from its list. */
  remove(slot: number): void {
    const list = this.owner[slot]!;
    if (list < 0) return;
    this.unlink(slot, list);
    this.owner[slot] = -1;
    this.counts[list]!--;
  }

  /** The least recently used slot of `list`, or -1. */
  oldest(list: number): number {
    return this.tails[list]!;
  }

  /** Slots of `list` from most to least recently used. */
  order(list: number): number[] {
    const out: number[] = [];
    for (let s = this.heads[list]!; s >= 0; s = this.next[s]!) out.push(s);
    return out;
  }

  private linkHead(slot: number, list: number): void {
    const head = this.heads[list]!;
    this.prev[slot] = -1;
    this.next[slot] = head;
    if (head >= 0) this.prev[head] = slot;
    else this.tails[list] = slot;
    this.heads[list] = slot;
  }

  private unlink(slot: number, list: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p >= 0) this.next[p] = n;
    else this.heads[list] = n;
    if (n >= 0) this.prev[n] = p;
    else this.tails[list] = p;
    this.prev[slot] = -1;
    this.next[slot] = -1;
  }
}
