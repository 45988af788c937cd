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

/** Predecessor lists (each predecessor once per edge). */
export function predecessors(g: Graph): number[][] {
  const preds: number[][] = Array.from({ length: g.size }, () => []);
  for (let n = 0; n < g.size; n++) for (const s of g.succ[n]!) preds[s]!.push(n);
  return preds;
}

/** Nodes reachable from the entry, in reverse postorder (the entry first). */
export function reversePostorder(g: Graph): number[] {
  const post: number[] = [];
  const state = new Uint8Array(g.size); // 0 new, 1 on the DFS stack, 2 done
  const nodes: number[] = [g.entry];
  const next: number[] = [0];
  state[g.entry] = 1;
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const n = nodes[top]!;
    const succ = g.succ[n]!;
    const i = next[top]!;
    if (i < succ.length) {
      next[top] = i + 1;
      const s = succ[i]!;
      if (state[s] === 0) {
        state[s] = 1;
        nodes.push(s);
        next.push(0);
      }
    } else {
      state[n] = 2;
      post.push(n);
      nodes.pop();
      next.pop();
    }
  }
  return post.reverse();
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
export function immediateDominators(g: Graph, rpo: readonly number[], preds: readonly (readonly number[])[] = predecessors(g)): Int32Array {
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
      for (const p of preds[n]!) {
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
export function dominatorTree(size: number, rpo: readonly number[], idom: Int32Array): number[][] {
  const children: number[][] = Array.from({ length: size }, () => []);
  for (const n of rpo) {
    const d = idom[n]!;
    if (d !== n && d >= 0) children[d]!.push(n);
  }
  return children;
}

/**
 * Constant-time dominance queries: `dominates(a, b)` is true when every path from the
 * entry to `b` passes through `a` (every node dominates itself).
 */
export function dominanceQuery(size: number, entry: number, children: readonly (readonly number[])[]): (a: number, b: number) => boolean {
  const pre = new Int32Array(size).fill(-1);
  const last = new Int32Array(size).fill(-1);
  let counter = 0;
  const stack: number[] = [entry];
  const next: number[] = [0];
  pre[entry] = counter++;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const n = stack[top]!;
    const i = next[top]!;
    const kids = children[n]!;
    if (i < kids.length) {
      next[top] = i + 1;
      const c = kids[i]!;
      pre[c] = counter++;
      stack.push(c);
      next.push(0);
    } else {
      last[n] = counter - 1;
      stack.pop();
      next.pop();
    }
  }
  return (a, b) => pre[a]! >= 0 && pre[b]! >= 0 && pre[a]! <= pre[b]! && pre[b]! <= last[a]!;
}

/**
 * Strongly connected components of the subgraph induced by `nodes` (edges leaving it
 * are ignored). Each component lists its nodes; components come in reverse
 * topological order, as Tarjan's algorithm finds them.
 */
export function stronglyConnected(g: Graph, nodes: readonly number[]): number[][] {
  const inSet = new Uint8Array(g.size);
  for (const n of nodes) inSet[n] = 1;
  const index = new Int32Array(g.size).fill(-1);
  const low = new Int32Array(g.size);
  const onStack = new Uint8Array(g.size);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
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
  return out;
}
