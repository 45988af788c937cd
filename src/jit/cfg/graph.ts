/**
 * Directed graphs over block ids `0..size-1` and the classic analyses the structuring
 * pass needs: reverse postorder, dominators (Cooper, Harvey and Kennedy's iterative
 * algorithm over reverse postorder) and strongly connected components (Tarjan's,
 * written without recursion so a program of many thousand blocks cannot overflow the
 * JS stack).
 *
 * Nothing here knows eBPF or WebAssembly: a node is a number, its successors a list.
 * A successor may appear twice in one list (a two-way branch whose arms meet): the
 * analyses treat that as one edge, the structuring pass as two branch sites.
 */

/** A control-flow graph: `succ[n]` lists the successors of node `n`, in branch order. */
export interface Graph {
  readonly size: number;
  readonly entry: number;
  readonly succ: readonly (readonly number[])[];
}

/**
 * Adjacency lists in compressed form: the neighbours of node `n` are
 * `list[start[n]]` to `list[start[n + 1] - 1]`. Two typed arrays rather than an array
 * per node: big functions have tens of thousands of nodes, and the per-node arrays
 * were a good part of the garbage a compile made.
 */
export interface Adjacency {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

/** Predecessor lists (each predecessor once per edge, in node order). */
export function predecessors(g: Graph): Adjacency {
  const start = new Int32Array(g.size + 1);
  for (let n = 0; n < g.size; n++) for (const s of g.succ[n]!) start[s + 1]!++;
  for (let n = 0; n < g.size; n++) start[n + 1]! += start[n]!;
  const fill = start.slice(0, g.size);
  const list = new Int32Array(start[g.size]!);
  for (let n = 0; n < g.size; n++) for (const s of g.succ[n]!) list[fill[s]!++] = n;
  return { start, list };
}

/** Nodes reachable from the entry, in reverse postorder (the entry first). */
export function reversePostorder(g: Graph): number[] {
  const state = new Uint8Array(g.size); // 0 new, 1 on the DFS stack, 2 done
  // The DFS stack (node, next successor index) and the postorder, as typed arrays:
  // each node is pushed at most once.
  const nodes = new Int32Array(g.size);
  const next = new Int32Array(g.size);
  const post = new Int32Array(g.size);
  let count = 0;
  let top = 0;
  nodes[0] = g.entry;
  state[g.entry] = 1;
  while (top >= 0) {
    const n = nodes[top]!;
    const succ = g.succ[n]!;
    const i = next[top]!;
    if (i < succ.length) {
      next[top] = i + 1;
      const s = succ[i]!;
      if (state[s] === 0) {
        state[s] = 1;
        top++;
        nodes[top] = s;
        next[top] = 0;
      }
    } else {
      state[n] = 2;
      post[count++] = n;
      top--;
    }
  }
  const rpo = new Array<number>(count);
  for (let i = 0; i < count; i++) rpo[i] = post[count - 1 - i]!;
  return rpo;
}

/** Position of each node in `order`, or -1 for nodes not in it (unreachable). */
export function orderIndex(size: number, order: readonly number[]): Int32Array {
  const index = new Int32Array(size).fill(-1);
  order.forEach((n, i) => { index[n] = i; });
  return index;
}

/**
 * Immediate dominators: `idom[n]` for every reachable node (the entry is its own),
 * -1 for unreachable nodes. `rpo` is the reverse postorder of `g`.
 */
export function immediateDominators(g: Graph, rpo: readonly number[], preds: Adjacency = predecessors(g)): Int32Array {
  const index = orderIndex(g.size, rpo);
  const idom = new Int32Array(g.size).fill(-1);
  idom[g.entry] = g.entry;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (index[a]! > index[b]!) a = idom[a]!;
      while (index[b]! > index[a]!) b = idom[b]!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 1; i < rpo.length; i++) {
      const n = rpo[i]!;
      let d = -1;
      for (let k = preds.start[n]!; k < preds.start[n + 1]!; k++) {
        const p = preds.list[k]!;
        if (idom[p] === -1) continue; // unreachable, or not processed yet
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== -1 && idom[n] !== d) {
        idom[n] = d;
        changed = true;
      }
    }
  }
  return idom;
}

/** The dominator tree as child lists (children in reverse postorder). */
export function dominatorTree(size: number, rpo: readonly number[], idom: Int32Array): Adjacency {
  const start = new Int32Array(size + 1);
  for (const n of rpo) {
    const d = idom[n]!;
    if (d !== n && d >= 0) start[d + 1]!++;
  }
  for (let n = 0; n < size; n++) start[n + 1]! += start[n]!;
  const fill = start.slice(0, size);
  const list = new Int32Array(start[size]!);
  for (const n of rpo) {
    const d = idom[n]!;
    if (d !== n && d >= 0) list[fill[d]!++] = n;
  }
  return { start, list };
}

/**
 * Constant-time dominance queries: `dominates(a, b)` is true when every path from the
 * entry to `b` passes through `a` (every node dominates itself).
 */
export function dominanceQuery(size: number, entry: number, children: Adjacency): (a: number, b: number) => boolean {
  const pre = new Int32Array(size).fill(-1);
  const last = new Int32Array(size).fill(-1);
  let counter = 0;
  // The DFS stack (node, children visited) as typed arrays: each node is pushed once.
  const stack = new Int32Array(size);
  const next = new Int32Array(size);
  let top = 0;
  stack[0] = entry;
  pre[entry] = counter++;
  while (top >= 0) {
    const n = stack[top]!;
    const i = children.start[n]! + next[top]!;
    if (i < children.start[n + 1]!) {
      next[top]!++;
      const c = children.list[i]!;
      pre[c] = counter++;
      top++;
      stack[top] = c;
      next[top] = 0;
    } else {
      last[n] = counter - 1;
      top--;
    }
  }
  return (a, b) => pre[a]! >= 0 && pre[b]! >= 0 && pre[a]! <= pre[b]! && pre[b]! <= last[a]!;
}

// Scratch of `stronglyConnected`, grown as needed and reset after each call for the
// nodes it touched, so that a call costs time in proportion to its nodes and edges and
// not to the size of the whole graph: `irreducibleRegions` calls it once per loop.
let sccInSet = new Uint8Array(0);
let sccOnStack = new Uint8Array(0);
let sccIndex = new Int32Array(0);
let sccLow = new Int32Array(0);

/**
 * Strongly connected components of the subgraph induced by `nodes` (edges leaving it
 * are ignored). Each component lists its nodes; components come in reverse
 * topological order, as Tarjan's algorithm finds them.
 */
export function stronglyConnected(g: Graph, nodes: readonly number[]): number[][] {
  if (sccIndex.length < g.size) {
    const size = Math.max(g.size, sccIndex.length * 2);
    sccInSet = new Uint8Array(size);
    sccOnStack = new Uint8Array(size);
    sccIndex = new Int32Array(size).fill(-1);
    sccLow = new Int32Array(size);
  }
  const inSet = sccInSet, onStack = sccOnStack, index = sccIndex, low = sccLow;
  for (const n of nodes) inSet[n] = 1;
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  try {
    for (const root of nodes) {
      if (index[root] !== -1) continue;
      const work: number[] = [root];
      const next: number[] = [0];
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (work.length > 0) {
        const top = work.length - 1;
        const n = work[top]!;
        const succ = g.succ[n]!;
        const i = next[top]!;
        if (i < succ.length) {
          next[top] = i + 1;
          const s = succ[i]!;
          if (!inSet[s]) continue;
          if (index[s] === -1) {
            index[s] = low[s] = counter++;
            stack.push(s);
            onStack[s] = 1;
            work.push(s);
            next.push(0);
          } else if (onStack[s]) {
            low[n] = Math.min(low[n]!, index[s]!);
          }
          continue;
        }
        work.pop();
        next.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1]!;
          low[parent] = Math.min(low[parent]!, low[n]!);
        }
        if (low[n] === index[n]) {
          const component: number[] = [];
          let m: number;
          do {
            m = stack.pop()!;
            onStack[m] = 0;
            component.push(m);
          } while (m !== n);
          out.push(component);
        }
      }
    }
  } finally {
    for (const n of nodes) {
      inSet[n] = 0;
      onStack[n] = 0;
      index[n] = -1;
    }
  }
  return out;
}
