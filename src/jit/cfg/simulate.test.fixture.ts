/**
 * Test support: runs a `Structure` tree the way WebAssembly would run the code emitted
 * from it, with each two-way node's decision supplied by the caller, and records the
 * nodes visited. A structuring bug shows up as a visit sequence that the CFG does not
 * allow, a branch to a label that is not there, or a path that falls off the end.
 */
import type { Graph, Stmt, Structure } from './index.js';

type Signal = { br: number } | 'exit' | 'stop' | undefined;

export interface SimulationResult {
  /** Nodes in the order their code ran. */
  readonly visits: number[];
  /** How the run ended: a node without successors, or the step limit. */
  readonly end: 'exit' | 'stop';
}

/**
 * Simulates `s` over `g`. `choose(node)` picks the successor index taken by a
 * two-successor node. Throws when the tree departs from the graph.
 */
export function simulate(g: Graph, s: Structure, choose: (node: number) => 0 | 1, maxVisits: number): SimulationResult {
  const visits: number[] = [];
  let label = -1;
  let pending: { node: number; choice: 0 | 1 } | undefined;
  let expected: number | undefined = g.entry;

  const visit = (n: number): Signal => {
    if (expected !== undefined && n !== expected) {
      throw new Error(`visited ${n}, but the CFG goes to ${expected} (after ${visits.join(' ')})`);
    }
    if (pending) throw new Error(`node ${pending.node}'s two-way branch was never taken`);
    visits.push(n);
    const succ = g.succ[n]!;
    if (succ.length === 0) return 'exit';
    if (visits.length >= maxVisits) return 'stop';
    if (succ.length === 1) {
      expected = succ[0];
    } else {
      const choice = choose(n);
      pending = { node: n, choice };
      expected = succ[choice];
    }
    return undefined;
  };

  const take = (n: number): 0 | 1 => {
    if (!pending || pending.node !== n) throw new Error(`branch on node ${n} without its code just before`);
    const c = pending.choice;
    pending = undefined;
    return c;
  };

  const run = (list: readonly Stmt[]): Signal => {
    for (const stmt of list) {
      let r: Signal;
      switch (stmt.kind) {
        case 'block':
          r = run(stmt.body);
          if (typeof r === 'object') {
            if (r.br === 0) continue;
            return { br: r.br - 1 };
          }
          if (r !== undefined) return r;
          break;
        case 'loop':
          for (;;) {
            r = run(stmt.body);
            if (typeof r === 'object' && r.br === 0) continue;
            break;
          }
          if (typeof r === 'object') return { br: r.br - 1 };
          if (r !== undefined) return r;
          break;
        case 'node':
          r = visit(stmt.node);
          if (r !== undefined) return r;
          break;
        case 'if':
          r = run(take(stmt.node) === 0 ? stmt.then : stmt.else);
          if (typeof r === 'object') {
            if (r.br === 0) continue;
            return { br: r.br - 1 };
          }
          if (r !== undefined) return r;
          break;
        case 'brIf':
          if (take(stmt.node) === stmt.when) return { br: stmt.depth };
          break;
        case 'br':
          return { br: stmt.depth };
        case 'setLabel':
          label = stmt.value;
          break;
        case 'dispatch': {
          const d = stmt.depths[label];
          if (d === undefined) throw new Error(`dispatch on label ${label}, which has no entry`);
          return { br: d };
        }
      }
    }
    return undefined;
  };

  const r = run(s.body);
  if (r === undefined) throw new Error(`fell off the end of the function after ${visits.join(' ')}`);
  if (typeof r === 'object') throw new Error(`br ${r.br} leaves the function`);
  return { visits, end: r };
}

/** Counts the `node` statements per node, and checks every br depth is in scope. */
export function census(s: Structure, size: number): { count: Int32Array; dispatchers: number } {
  const count = new Int32Array(size);
  let dispatchers = 0;
  const walk = (list: readonly Stmt[], depth: number): void => {
    for (const stmt of list) {
      switch (stmt.kind) {
        case 'block': case 'loop': walk(stmt.body, depth + 1); break;
        case 'if': walk(stmt.then, depth + 1); walk(stmt.else, depth + 1); break;
        case 'node': count[stmt.node]!++; break;
        case 'br': case 'brIf':
          if (stmt.depth >= depth) throw new Error(`br ${stmt.depth} with only ${depth} enclosing constructs`);
          break;
        case 'dispatch':
          dispatchers++;
          for (const d of stmt.depths) if (d >= depth) throw new Error(`br_table entry ${d} with only ${depth} enclosing constructs`);
          break;
        case 'setLabel': break;
      }
    }
  };
  walk(s.body, 0);
  return { count, dispatchers };
}
