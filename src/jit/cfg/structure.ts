/**
 * Structured control flow from a CFG: the dominator-tree algorithm of Norman Ramsey,
 * "Beyond Relooper: recursive translation of unstructured control flow to structured
 * control flow" (ICFP 2022), written from the paper's description.
 *
 * - Number the nodes in reverse postorder (RPO). An edge to a node with a smaller or
 *   equal number is a back edge; its target is a loop header.
 * - A merge node has two or more forward in-edges (counted per branch site).
 * - `doTree(x)` emits the dominator subtree of `x`: the merge nodes among x's children
 *   become `block`s wrapped around x's own code, the one with the highest RPO number
 *   outermost, each followed by its own subtree; if x is a loop header, all of it sits
 *   inside a `loop`.
 * - A branch from x to y is a `br` to y's `loop` (back edge), a `br` out of y's `block`
 *   (merge node), or else y's subtree inlined at the branch (y has one forward
 *   predecessor, x, which is then its immediate dominator).
 *
 * Irreducible regions (see `regions.ts`) are first collapsed into one node each; such
 * a node is emitted as a dispatcher: `loop { block ... block { br_table } member0 ...
 * } memberN }` driven by a label variable that every edge into a member sets first.
 *
 * The output is a tree over node ids with explicit branch depths. It knows nothing of
 * what a node contains; the emitter's contract is:
 *
 * - `node`: the node's own code. A node without successors ends there (returns,
 *   traps); a node with one successor continues with the statements that follow.
 * - A node with two successors is followed by `if` (`then` is successor 0, `else`
 *   successor 1; the `if` is one nesting level, counted in the depths inside it) or by
 *   `brIf` (branch when the node goes to successor `when`, then fall into the
 *   statements for the other successor).
 * - `br depth` leaves `depth + 1` enclosing constructs (`block`, `loop`, `if`) as
 *   WebAssembly's `br` does; `dispatch` is a `br_table` on the label variable,
 *   `setLabel` assigns it.
 */
import {
  dominanceQuery, dominatorTree, immediateDominators, predecessors, reversePostorder, type Graph,
} from './graph.js';
import { irreducibleRegions } from './regions.js';

export type Stmt =
  | { readonly kind: 'block'; readonly body: Stmt[] }
  | { readonly kind: 'loop'; readonly body: Stmt[] }
  | { readonly kind: 'node'; readonly node: number }
  | { readonly kind: 'if'; readonly node: number; readonly then: Stmt[]; readonly else: Stmt[] }
  | { readonly kind: 'brIf'; readonly node: number; readonly when: 0 | 1; readonly depth: number }
  | { readonly kind: 'br'; readonly depth: number }
  | { readonly kind: 'setLabel'; readonly value: number }
  | { readonly kind: 'dispatch'; readonly depths: readonly number[] };

export interface Structure {
  readonly body: Stmt[];
  /** Reachable nodes in reverse postorder; the others appear nowhere in `body`. */
  readonly reachable: readonly number[];
  /** Nodes (outside irreducible regions) that head a `loop`: targets of back edges. */
  readonly loopHeaders: ReadonlySet<number>;
  /** Irreducible regions, each run by a dispatcher; a member's label is its index here. */
  readonly regions: readonly (readonly number[])[];
  /** The region of each node, or -1. */
  readonly regionOf: Int32Array;
}

/** Thrown when a graph breaks the structurer's own invariants (a bug, not bad input). */
export class StructureError extends Error {}

interface Edge {
  readonly from: number;
  readonly index: number;
  readonly to: number;
}

const enum FrameKind { Block, Loop, If, Dispatch, Anonymous }

export function structure(g: Graph): Structure {
  for (let n = 0; n < g.size; n++) {
    if (g.succ[n]!.length > 2) throw new StructureError(`node ${n} has ${g.succ[n]!.length} successors; at most 2 are supported`);
  }
  const rpo = reversePostorder(g);
  const preds = predecessors(g);
  const { regions, regionOf } = irreducibleRegions(g, rpo, preds);

  // Units: every node stands for itself, except region members, which all stand for
  // the unit `g.size + region`.
  const unitCount = g.size + regions.length;
  const unitOf = (n: number): number => (regionOf[n]! >= 0 ? g.size + regionOf[n]! : n);
  const labelOf = new Int32Array(g.size).fill(-1);
  regions.forEach((members) => members.forEach((n, i) => { labelOf[n] = i; }));
  const edges: Edge[][] = Array.from({ length: unitCount }, () => []);
  for (const n of rpo) {
    const u = unitOf(n);
    g.succ[n]!.forEach((to, index) => {
      if (u >= g.size && unitOf(to) === u) return; // inside a region: the dispatcher's business
      edges[u]!.push({ from: n, index, to });
    });
  }
  const unitGraph: Graph = {
    size: unitCount,
    entry: unitOf(g.entry),
    succ: edges.map((list) => list.map((e) => unitOf(e.to))),
  };
  const urpo = reversePostorder(unitGraph);
  const order = new Int32Array(unitCount).fill(-1);
  urpo.forEach((u, i) => { order[u] = i; });
  const idom = immediateDominators(unitGraph, urpo);
  const children = dominatorTree(unitCount, urpo, idom);
  const dominates = dominanceQuery(unitCount, unitGraph.entry, children);

  const forwardIn = new Int32Array(unitCount);
  const loopHeader = new Uint8Array(unitCount);
  for (const u of urpo) {
    for (const v of unitGraph.succ[u]!) {
      if (order[v]! > order[u]!) {
        forwardIn[v]!++;
      } else {
        if (!dominates(v, u)) throw new StructureError(`edge ${u} -> ${v} is a back edge to a non-dominator after collapsing irreducible regions`);
        loopHeader[v] = 1;
      }
    }
  }
  const isMerge = (u: number): boolean => forwardIn[u]! >= 2;

  // The context: open constructs, innermost last. A unit's block or loop appears at
  // most once at a time, so its position is kept in a table.
  const frames: FrameKind[] = [];
  const blockPos = new Int32Array(unitCount).fill(-1);
  const loopPos = new Int32Array(unitCount).fill(-1);
  const dispatchPos = new Int32Array(unitCount).fill(-1);
  const depthOf = (pos: number): number => {
    if (pos < 0) throw new StructureError('branch to a label that is not in scope');
    return frames.length - 1 - pos;
  };

  // The recursion of the paper runs on an explicit stack of tasks, so that a long
  // chain of inlined subtrees (thousands of early exits in one function) cannot
  // exhaust the JS stack. Each task appends to the statement list it was given; a
  // task that expands schedules its parts in order.
  type Task =
    | { readonly k: 'tree'; readonly u: number; readonly out: Stmt[] }
    | { readonly k: 'within'; readonly u: number; readonly merges: readonly number[]; readonly i: number; readonly out: Stmt[] }
    | { readonly k: 'code'; readonly u: number; readonly n: number; readonly region: number; readonly out: Stmt[] }
    | { readonly k: 'branch'; readonly u: number; readonly e: Edge; readonly region: number; readonly out: Stmt[] }
    | { readonly k: 'push'; readonly kind: FrameKind; readonly unit: number }
    | { readonly k: 'pop'; readonly unit: number };
  const tasks: Task[] = [];
  const schedule = (...parts: Task[]): void => {
    for (let i = parts.length - 1; i >= 0; i--) tasks.push(parts[i]!);
  };

  /** The depth of a plain `br` realising `e` from unit `u`, or undefined when it needs more. */
  const brDepth = (u: number, e: Edge): number | undefined => {
    const v = unitOf(e.to);
    if (v >= g.size) return undefined; // a region: set its label first
    if (order[v]! <= order[u]!) return depthOf(loopPos[v]!);
    if (isMerge(v)) return depthOf(blockPos[v]!);
    return undefined;
  };

  const branch = (u: number, e: Edge, region: number, out: Stmt[]): void => {
    const v = unitOf(e.to);
    if (v >= g.size) out.push({ kind: 'setLabel', value: labelOf[e.to]! });
    if (v === region) out.push({ kind: 'br', depth: depthOf(dispatchPos[v]!) }); // to the dispatcher
    else if (order[v]! <= order[u]!) out.push({ kind: 'br', depth: depthOf(loopPos[v]!) });
    else if (isMerge(v)) out.push({ kind: 'br', depth: depthOf(blockPos[v]!) });
    else schedule({ k: 'tree', u: v, out });
  };

  /** Node `n`'s code and terminator; `region` is the dispatcher unit it runs in, or -1. */
  const code = (u: number, n: number, region: number, out: Stmt[]): void => {
    const succ = g.succ[n]!;
    out.push({ kind: 'node', node: n });
    if (succ.length === 0) return;
    const edge = (index: number): Edge => ({ from: n, index, to: succ[index]! });
    if (succ.length === 1) return branch(u, edge(0), region, out);
    const [e0, e1] = [edge(0), edge(1)];
    const d0 = brDepth(u, e0);
    if (d0 !== undefined) {
      out.push({ kind: 'brIf', node: n, when: 0, depth: d0 });
      return branch(u, e1, region, out);
    }
    const d1 = brDepth(u, e1);
    if (d1 !== undefined) {
      out.push({ kind: 'brIf', node: n, when: 1, depth: d1 });
      return branch(u, e0, region, out);
    }
    const then: Stmt[] = [];
    const otherwise: Stmt[] = [];
    out.push({ kind: 'if', node: n, then, else: otherwise });
    schedule(
      { k: 'push', kind: FrameKind.If, unit: -1 },
      { k: 'branch', u, e: e0, region, out: then },
      { k: 'branch', u, e: e1, region, out: otherwise },
      { k: 'pop', unit: -1 },
    );
  };

  /** A region's dispatcher: loop { block_k-1 ... { block_0 { br_table } member_0 } ... member_k-1 }. */
  const dispatcher = (u: number, out: Stmt[]): void => {
    const members = regions[u - g.size]!;
    const k = members.length;
    // content[i] is the body of block_i; content[k] the loop's body.
    const content: Stmt[][] = Array.from({ length: k + 1 }, () => []);
    content[0]!.push({ kind: 'dispatch', depths: members.map((_, i) => i) });
    for (let i = 0; i < k; i++) content[i + 1]!.push({ kind: 'block', body: content[i]! });
    out.push({ kind: 'loop', body: content[k]! });
    const parts: Task[] = [{ k: 'push', kind: FrameKind.Dispatch, unit: u }];
    for (let i = 0; i < k; i++) parts.push({ k: 'push', kind: FrameKind.Anonymous, unit: -1 });
    members.forEach((m, i) => parts.push({ k: 'pop', unit: -1 }, { k: 'code', u, n: m, region: u, out: content[i + 1]! }));
    parts.push({ k: 'pop', unit: u });
    schedule(...parts);
  };

  const within = (u: number, merges: readonly number[], i: number, out: Stmt[]): void => {
    if (i === merges.length) {
      if (u >= g.size) dispatcher(u, out);
      else code(u, u, -1, out);
      return;
    }
    const y = merges[i]!;
    const inner: Stmt[] = [];
    out.push({ kind: 'block', body: inner });
    schedule(
      { k: 'push', kind: FrameKind.Block, unit: y },
      { k: 'within', u, merges, i: i + 1, out: inner },
      { k: 'pop', unit: y },
      { k: 'tree', u: y, out },
    );
  };

  const tree = (u: number, out: Stmt[]): void => {
    const merges = children[u]!.filter(isMerge).sort((a, b) => order[b]! - order[a]!);
    if (!loopHeader[u]) return within(u, merges, 0, out);
    const body: Stmt[] = [];
    out.push({ kind: 'loop', body });
    schedule(
      { k: 'push', kind: FrameKind.Loop, unit: u },
      { k: 'within', u, merges, i: 0, out: body },
      { k: 'pop', unit: u },
    );
  };

  const entryUnit = unitGraph.entry;
  const body: Stmt[] = entryUnit >= g.size ? [{ kind: 'setLabel', value: labelOf[g.entry]! }] : [];
  schedule({ k: 'tree', u: entryUnit, out: body });
  while (tasks.length > 0) {
    const t = tasks.pop()!;
    switch (t.k) {
      case 'tree': tree(t.u, t.out); break;
      case 'within': within(t.u, t.merges, t.i, t.out); break;
      case 'code': code(t.u, t.n, t.region, t.out); break;
      case 'branch': branch(t.u, t.e, t.region, t.out); break;
      case 'push':
        if (t.kind === FrameKind.Block) blockPos[t.unit] = frames.length;
        else if (t.kind === FrameKind.Loop) loopPos[t.unit] = frames.length;
        else if (t.kind === FrameKind.Dispatch) dispatchPos[t.unit] = frames.length;
        frames.push(t.kind);
        break;
      case 'pop': {
        const kind = frames.pop();
        if (kind === FrameKind.Block) blockPos[t.unit] = -1;
        else if (kind === FrameKind.Loop) loopPos[t.unit] = -1;
        else if (kind === FrameKind.Dispatch) dispatchPos[t.unit] = -1;
        break;
      }
    }
  }
  if (frames.length !== 0) throw new StructureError('unbalanced constructs after structuring');
  const loopHeaders = new Set<number>();
  for (let u = 0; u < g.size; u++) if (loopHeader[u]) loopHeaders.add(u);
  return { body, reachable: rpo, loopHeaders, regions, regionOf };
}
