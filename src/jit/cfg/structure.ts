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
 * The output is a tree over node ids with explicit branch depths, written in flat form
 * (`code`, operations in the order an emitter writes them; see `Op`), and as `Stmt`
 * objects on demand (`body`, for tests and printing). The flat form is what the JIT
 * uses: a big function has tens of thousands of nodes, and an object per statement
 * and per pending task (as this pass first had) made garbage collection the largest
 * cost of compiling. It knows nothing of what a node contains; the emitter's contract
 * is:
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

/**
 * Operations of the flat form, each followed by its operands:
 * `BLOCK`, `LOOP`, `END` (closes the innermost `BLOCK`, `LOOP` or `IF`), `NODE n`,
 * `IF n` (node n's test, then `if`; `ELSE` and `END` follow), `ELSE`,
 * `BR_IF n when depth`, `BR depth`, `SET_LABEL value`, and `DISPATCH k d0 ... d(k-1)`
 * (a `br_table` on the label; the last depth is also the default).
 */
export const Op = {
  BLOCK: 0, LOOP: 1, END: 2, NODE: 3, IF: 4, ELSE: 5, BR_IF: 6, BR: 7, SET_LABEL: 8, DISPATCH: 9,
} as const;

export interface Structure {
  /** The structure in flat form (see `Op`): `length` numbers. */
  readonly code: Int32Array;
  readonly length: number;
  /** The same as a tree of statements (built on first use). */
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

/** Kinds of open constructs (the pass's context). */
const Frame = { BLOCK: 0, LOOP: 1, IF: 2, DISPATCH: 3, ANONYMOUS: 4 } as const;

/** Pending work, five numbers each on the task stack: kind and up to four operands. */
const Task = {
  /** u: the dominator subtree of unit u. */
  TREE: 0,
  /** u, start, i, end: u's code inside the blocks of its merge children pool[i..end). */
  WITHIN: 1,
  /** u, n, region: node n's code and terminator. */
  CODE: 2,
  /** u, to, region: the branch from unit u to node `to`. */
  BRANCH: 3,
  /** kind, unit: opens a construct. */
  PUSH: 4,
  /** unit: closes the innermost construct. */
  POP: 5,
  ELSE: 6,
  /** k: a dispatcher's br_table over k members. */
  DISPATCH: 7,
} as const;

/** True when every retreating edge (to a node no later in reverse postorder) goes to a dominator of its source. */
function reducible(g: Graph, rpo: readonly number[], dominates: (a: number, b: number) => boolean): boolean {
  const order = new Int32Array(g.size).fill(-1);
  for (let i = 0; i < rpo.length; i++) order[rpo[i]!] = i;
  for (const u of rpo) {
    for (const v of g.succ[u]!) if (order[v]! <= order[u]! && !dominates(v, u)) return false;
  }
  return true;
}

export function structure(g: Graph): Structure {
  for (let n = 0; n < g.size; n++) {
    if (g.succ[n]!.length > 2) throw new StructureError(`node ${n} has ${g.succ[n]!.length} successors; at most 2 are supported`);
  }
  const rpo = reversePostorder(g);
  const preds = predecessors(g);
  let idom = immediateDominators(g, rpo, preds);
  let children = dominatorTree(g.size, rpo, idom);
  let dominates = dominanceQuery(g.size, g.entry, children);

  // Units: every node stands for itself, except members of irreducible regions, which
  // all stand for the unit `g.size + region`. A graph whose every retreating edge goes
  // to a dominator is reducible (Hecht and Ullman): it has no such region, and the
  // unit graph is the graph itself, whose analyses are already done. That is nearly
  // every function clang emits; the loop-nest search of `irreducibleRegions` runs only
  // when this test fails.
  let regions: readonly (readonly number[])[] = [];
  let regionOf: Int32Array;
  let unitGraph: Graph = g;
  let urpo = rpo;
  if (reducible(g, rpo, dominates)) {
    regionOf = new Int32Array(g.size).fill(-1);
  } else {
    ({ regions, regionOf } = irreducibleRegions(g, rpo, preds));
    const unitOfNode = (n: number): number => (regionOf[n]! >= 0 ? g.size + regionOf[n]! : n);
    const succ: number[][] = [];
    for (let u = 0; u < g.size + regions.length; u++) succ.push([]);
    for (const n of rpo) {
      const u = unitOfNode(n);
      for (const to of g.succ[n]!) {
        if (u >= g.size && unitOfNode(to) === u) continue; // inside a region: the dispatcher's business
        succ[u]!.push(unitOfNode(to));
      }
    }
    unitGraph = { size: succ.length, entry: unitOfNode(g.entry), succ };
    urpo = reversePostorder(unitGraph);
    idom = immediateDominators(unitGraph, urpo);
    children = dominatorTree(unitGraph.size, urpo, idom);
    dominates = dominanceQuery(unitGraph.size, unitGraph.entry, children);
  }
  const unitCount = unitGraph.size;
  const unitOf = (n: number): number => (regionOf[n]! >= 0 ? g.size + regionOf[n]! : n);
  const labelOf = new Int32Array(g.size).fill(-1);
  regions.forEach((members) => members.forEach((n, i) => { labelOf[n] = i; }));
  const order = new Int32Array(unitCount).fill(-1);
  urpo.forEach((u, i) => { order[u] = i; });

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

  // The output, grown as needed.
  let code = new Int32Array(Math.max(16, g.size * 4));
  let length = 0;
  const put = (v: number): void => {
    if (length === code.length) {
      const bigger = new Int32Array(code.length * 2);
      bigger.set(code);
      code = bigger;
    }
    code[length++] = v;
  };

  // The context: open constructs, innermost last. A unit's block or loop appears at
  // most once at a time, so its position is kept in a table.
  const frames: number[] = [];
  const blockPos = new Int32Array(unitCount).fill(-1);
  const loopPos = new Int32Array(unitCount).fill(-1);
  const dispatchPos = new Int32Array(unitCount).fill(-1);
  const depthOf = (pos: number): number => {
    if (pos < 0) throw new StructureError('branch to a label that is not in scope');
    return frames.length - 1 - pos;
  };

  // The recursion of the paper runs on an explicit stack of tasks, so that a long
  // chain of inlined subtrees (thousands of early exits in one function) cannot
  // exhaust the JS stack. Tasks run in the order they are scheduled, which is also the
  // order their output is written in. A task is five numbers (no objects); a task that
  // expands pushes its parts last first.
  let tasks = new Int32Array(320);
  let top = 0;
  const task = (kind: number, a = 0, b = 0, c = 0, d = 0): void => {
    if (top + 5 > tasks.length) {
      const bigger = new Int32Array(tasks.length * 2);
      bigger.set(tasks);
      tasks = bigger;
    }
    tasks[top] = kind;
    tasks[top + 1] = a;
    tasks[top + 2] = b;
    tasks[top + 3] = c;
    tasks[top + 4] = d;
    top += 5;
  };
  // The merge children of each expanded unit, in emission order (outermost first).
  const pool: number[] = [];

  /** The depth of a plain `br` from unit `u` to node `to`, or -1 when it needs more. */
  const brDepth = (u: number, to: number): number => {
    const v = unitOf(to);
    if (v >= g.size) return -1; // a region: set its label first
    if (order[v]! <= order[u]!) return depthOf(loopPos[v]!);
    if (forwardIn[v]! >= 2) return depthOf(blockPos[v]!);
    return -1;
  };

  const branch = (u: number, to: number, region: number): void => {
    const v = unitOf(to);
    if (v >= g.size) put(Op.SET_LABEL), put(labelOf[to]!);
    if (v === region) put(Op.BR), put(depthOf(dispatchPos[v]!)); // to the dispatcher
    else if (order[v]! <= order[u]!) put(Op.BR), put(depthOf(loopPos[v]!));
    else if (forwardIn[v]! >= 2) put(Op.BR), put(depthOf(blockPos[v]!));
    else task(Task.TREE, v);
  };

  /** Node `n`'s code and terminator; `region` is the dispatcher unit it runs in, or -1. */
  const nodeCode = (u: number, n: number, region: number): void => {
    const succ = g.succ[n]!;
    put(Op.NODE), put(n);
    if (succ.length === 0) return;
    if (succ.length === 1) return branch(u, succ[0]!, region);
    const e0 = succ[0]!;
    const e1 = succ[1]!;
    const d0 = brDepth(u, e0);
    if (d0 >= 0) {
      put(Op.BR_IF), put(n), put(0), put(d0);
      return branch(u, e1, region);
    }
    const d1 = brDepth(u, e1);
    if (d1 >= 0) {
      put(Op.BR_IF), put(n), put(1), put(d1);
      return branch(u, e0, region);
    }
    put(Op.IF), put(n);
    task(Task.POP, -1);
    task(Task.BRANCH, u, e1, region);
    task(Task.ELSE);
    task(Task.BRANCH, u, e0, region);
    task(Task.PUSH, Frame.IF, -1);
  };

  /** A region's dispatcher: loop { block_k-1 ... { block_0 { br_table } member_0 } ... member_k-1 }. */
  const dispatcher = (u: number): void => {
    const members = regions[u - g.size]!;
    const k = members.length;
    task(Task.POP, u);
    for (let i = k - 1; i >= 0; i--) {
      task(Task.CODE, u, members[i]!, u);
      task(Task.POP, -1);
    }
    task(Task.DISPATCH, k);
    for (let i = 0; i < k; i++) task(Task.PUSH, Frame.ANONYMOUS, -1);
    task(Task.PUSH, Frame.DISPATCH, u);
  };

  const within = (u: number, start: number, i: number, end: number): void => {
    if (i === end) {
      if (u >= g.size) dispatcher(u);
      else nodeCode(u, u, -1);
      return;
    }
    const y = pool[i]!;
    task(Task.TREE, y);
    task(Task.POP, y);
    task(Task.WITHIN, u, start, i + 1, end);
    task(Task.PUSH, Frame.BLOCK, y);
  };

  const tree = (u: number): void => {
    const start = pool.length;
    for (let k = children.start[u]!; k < children.start[u + 1]!; k++) {
      const c = children.list[k]!;
      if (forwardIn[c]! >= 2) pool.push(c);
    }
    const end = pool.length;
    if (end - start > 1) {
      const merges = pool.slice(start).sort((a, b) => order[b]! - order[a]!);
      for (let i = 0; i < merges.length; i++) pool[start + i] = merges[i]!;
    }
    if (!loopHeader[u]) return within(u, start, start, end);
    task(Task.POP, u);
    task(Task.WITHIN, u, start, start, end);
    task(Task.PUSH, Frame.LOOP, u);
  };

  const entryUnit = unitGraph.entry;
  if (entryUnit >= g.size) put(Op.SET_LABEL), put(labelOf[g.entry]!);
  task(Task.TREE, entryUnit);
  while (top > 0) {
    top -= 5;
    const kind = tasks[top]!, a = tasks[top + 1]!, b = tasks[top + 2]!, c = tasks[top + 3]!, d = tasks[top + 4]!;
    switch (kind) {
      case Task.TREE: tree(a); break;
      case Task.WITHIN: within(a, b, c, d); break;
      case Task.CODE: nodeCode(a, b, c); break;
      case Task.BRANCH: branch(a, b, c); break;
      case Task.PUSH:
        if (a === Frame.BLOCK) blockPos[b] = frames.length;
        else if (a === Frame.LOOP) loopPos[b] = frames.length;
        else if (a === Frame.DISPATCH) dispatchPos[b] = frames.length;
        if (a !== Frame.IF) put(a === Frame.LOOP || a === Frame.DISPATCH ? Op.LOOP : Op.BLOCK);
        frames.push(a);
        break;
      case Task.POP: {
        const open = frames.pop();
        if (open === Frame.BLOCK) blockPos[a] = -1;
        else if (open === Frame.LOOP) loopPos[a] = -1;
        else if (open === Frame.DISPATCH) dispatchPos[a] = -1;
        put(Op.END);
        break;
      }
      case Task.ELSE: put(Op.ELSE); break;
      case Task.DISPATCH:
        put(Op.DISPATCH), put(a);
        for (let i = 0; i < a; i++) put(i);
        break;
    }
  }
  if (frames.length !== 0) throw new StructureError('unbalanced constructs after structuring');
  const loopHeaders = new Set<number>();
  for (let u = 0; u < g.size; u++) if (loopHeader[u]) loopHeaders.add(u);
  let body: Stmt[] | undefined;
  const flat = code;
  return {
    code: flat, length, reachable: rpo, loopHeaders, regions, regionOf,
    get body(): Stmt[] { return (body ??= toTree(flat, length)); },
  };
}

/** The flat form as a tree of statements. */
export function toTree(code: Int32Array, length: number): Stmt[] {
  const root: Stmt[] = [];
  const lists: Stmt[][] = [root];
  const open: Stmt[] = [];
  for (let i = 0; i < length;) {
    const list = lists[lists.length - 1]!;
    switch (code[i]) {
      case Op.BLOCK:
      case Op.LOOP: {
        const stmt = { kind: code[i] === Op.BLOCK ? 'block' : 'loop', body: [] as Stmt[] } as const;
        list.push(stmt);
        lists.push(stmt.body);
        open.push(stmt);
        i += 1;
        break;
      }
      case Op.IF: {
        const stmt = { kind: 'if', node: code[i + 1]!, then: [] as Stmt[], else: [] as Stmt[] } as const;
        list.push(stmt);
        lists.push(stmt.then);
        open.push(stmt);
        i += 2;
        break;
      }
      case Op.ELSE: {
        const stmt = open[open.length - 1]!;
        if (stmt.kind !== 'if') throw new StructureError('else outside an if');
        lists[lists.length - 1] = stmt.else;
        i += 1;
        break;
      }
      case Op.END:
        lists.pop();
        open.pop();
        i += 1;
        break;
      case Op.NODE: list.push({ kind: 'node', node: code[i + 1]! }); i += 2; break;
      case Op.BR_IF:
        list.push({ kind: 'brIf', node: code[i + 1]!, when: code[i + 2] === 0 ? 0 : 1, depth: code[i + 3]! });
        i += 4;
        break;
      case Op.BR: list.push({ kind: 'br', depth: code[i + 1]! }); i += 2; break;
      case Op.SET_LABEL: list.push({ kind: 'setLabel', value: code[i + 1]! }); i += 2; break;
      case Op.DISPATCH: {
        const k = code[i + 1]!;
        list.push({ kind: 'dispatch', depths: Array.from(code.subarray(i + 2, i + 2 + k)) });
        i += 2 + k;
        break;
      }
      default:
        throw new StructureError(`unknown operation ${code[i]} at ${i}`);
    }
  }
  return root;
}
