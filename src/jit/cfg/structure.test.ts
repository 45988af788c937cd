import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reversePostorder, structure, type Graph, type Structure } from './index.js';
import { census, simulate } from './simulate.test.fixture.js';

const graph = (succ: number[][], entry = 0): Graph => ({ size: succ.length, entry, succ });

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let x = Math.imul(seed, 0x9e3779b1) | 0 || 1;
  const next = (): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  for (let i = 0; i < 4; i++) next();
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * Reducibility by T1/T2 reduction (Hecht and Ullman), independent of the dominator
 * machinery under test: remove self loops; fold a node with a single predecessor into
 * it; the graph is reducible when only the entry is left.
 */
function reducibleByT1T2(g: Graph): boolean {
  const reach = new Set(reversePostorder(g));
  const succ = new Map<number, Set<number>>();
  const pred = new Map<number, Set<number>>();
  for (const n of reach) { succ.set(n, new Set()); pred.set(n, new Set()); }
  for (const n of reach) for (const s of g.succ[n]!) { succ.get(n)!.add(s); pred.get(s)!.add(n); }
  let changed = true;
  while (changed) {
    changed = false;
    for (const n of [...succ.keys()]) {
      if (succ.get(n)!.delete(n)) { pred.get(n)!.delete(n); changed = true; }
    }
    for (const n of [...succ.keys()]) {
      if (n === g.entry || pred.get(n)!.size !== 1) continue;
      const p = [...pred.get(n)!][0]!;
      if (p === n) continue;
      succ.get(p)!.delete(n);
      for (const s of succ.get(n)!) {
        pred.get(s)!.delete(n);
        if (s !== n) { succ.get(p)!.add(s); pred.get(s)!.add(p); } else { succ.get(p)!.add(p); pred.get(p)!.add(p); }
      }
      succ.delete(n); pred.delete(n);
      changed = true;
    }
  }
  return succ.size === 1;
}

/** Checks every reachable edge is realised: drive the simulation along a path to its source, then across it. */
function checkEveryEdge(g: Graph, s: Structure): void {
  const reach = reversePostorder(g);
  // BFS tree: how each node is first reached.
  const via = new Map<number, { from: number; index: 0 | 1 }>();
  const seen = new Set([g.entry]);
  const queue = [g.entry];
  while (queue.length > 0) {
    const n = queue.shift()!;
    g.succ[n]!.forEach((t, index) => {
      if (seen.has(t)) return;
      seen.add(t);
      via.set(t, { from: n, index: index as 0 | 1 });
      queue.push(t);
    });
  }
  for (const n of reach) {
    const path: { node: number; index: 0 | 1 }[] = [];
    for (let m = n; m !== g.entry;) {
      const v = via.get(m)!;
      path.unshift({ node: v.from, index: v.index });
      m = v.from;
    }
    g.succ[n]!.forEach((target, index) => {
      const steps = [...path, { node: n, index: index as 0 | 1 }];
      let i = 0;
      const choices = steps.map((st) => st.index);
      const nodes = steps.map((st) => st.node);
      const result = simulate(g, s, (node) => {
        // The simulation visits exactly the path's nodes; pick the recorded successor.
        while (i < nodes.length && nodes[i] !== node) i++;
        return choices[i++] ?? 0;
      }, steps.length + 1);
      assert.deepEqual(result.visits, [...nodes, target], `edge ${n} -> ${target} (successor ${index})`);
    });
  }
}

function randomWalks(g: Graph, s: Structure, seed: number, walks = 20, length = 200): void {
  const r = rng(seed);
  for (let w = 0; w < walks; w++) simulate(g, s, () => (r() < 0.5 ? 0 : 1), length);
}

function checkStructure(g: Graph, name: string): Structure {
  const s = structure(g);
  const { count } = census(s, g.size);
  const reach = new Set(reversePostorder(g));
  for (let n = 0; n < g.size; n++) {
    assert.equal(count[n], reach.has(n) ? 1 : 0, `${name}: node ${n} is emitted ${count[n]} times`);
  }
  checkEveryEdge(g, s);
  randomWalks(g, s, 12345);
  return s;
}

test('straight line, diamond, and a conditional that skips ahead', () => {
  checkStructure(graph([[1], [2], []]), 'line');
  const d = checkStructure(graph([[1, 2], [3], [3], []]), 'diamond');
  assert.equal(d.regions.length, 0);
  checkStructure(graph([[2, 1], [2], []]), 'skip');
});

test('loops: while, do-while, self loop, nested, multiple exits and continues', () => {
  const w = checkStructure(graph([[1], [3, 2], [1], []]), 'while');
  assert.deepEqual([...w.loopHeaders], [1]);
  checkStructure(graph([[1], [1, 2], []]), 'do-while');
  const self = checkStructure(graph([[0, 1], []]), 'self loop at entry');
  assert.deepEqual([...self.loopHeaders], [0]);
  checkStructure(graph([[1], [2, 6], [3], [3, 4], [5, 1], [1], []]), 'nested');
  checkStructure(graph([[1], [2, 7], [3, 7], [4, 1], [5, 8], [1], [], [8], []]), 'break and continue');
});

test('a branch whose arms meet, and an if-else chain sharing a tail', () => {
  checkStructure(graph([[1, 1], [2, 2], []]), 'same successor twice');
  checkStructure(graph([[1, 5], [2, 5], [3, 5], [4, 5], [5], []]), 'chain');
});

test('irreducible regions are detected and dispatched', () => {
  // Two entries into the cycle 1 <-> 2.
  const s = checkStructure(graph([[1, 2], [2, 3], [1, 3], []]), 'classic');
  assert.equal(s.regions.length, 1);
  assert.deepEqual([...s.regions[0]!].sort(), [1, 2]);
  assert.equal(census(s, 4).dispatchers, 1);
  // The same shape inside a reducible outer loop.
  const inner = checkStructure(graph([[1], [2, 3], [3, 4], [2, 4], [1, 5], []]), 'inside a loop');
  assert.equal(inner.regions.length, 1);
  // A cycle through the entry always has the entry as its only way in.
  const atEntry = checkStructure(graph([[1, 2], [0, 3], [0], []]), 'through the entry');
  assert.equal(atEntry.regions.length, 0);
});

test('a long chain of early exits does not exhaust the stack', () => {
  const n = 3000;
  const succ: number[][] = [];
  for (let i = 0; i < n; i++) succ.push([n, i + 1]);
  succ.push([]); // n: the shared exit
  succ[n - 1] = [n];
  const g = graph(succ);
  const s = structure(g);
  randomWalks(g, s, 7, 5, n + 2);
});

test('random CFGs: reducible ones never use the dispatcher, irreducible ones are detected, every edge is realised', () => {
  let reducible = 0;
  let irreducible = 0;
  let loopsAroundRegions = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed);
    const size = 2 + Math.floor(r() * 14);
    const succ: number[][] = [];
    for (let n = 0; n < size; n++) {
      const k = r();
      // Mostly forward edges, as compilers produce, with some back edges.
      const pick = (): number => (r() < 0.75 ? Math.min(size - 1, n + 1 + Math.floor(r() * 3)) : Math.floor(r() * size));
      if (n === size - 1 || k < 0.1) succ.push([]);
      else if (k < 0.45) succ.push([pick()]);
      else succ.push([pick(), pick()]);
    }
    const g = graph(succ);
    const s = checkStructure(g, `seed ${seed}`);
    if (reducibleByT1T2(g)) {
      reducible++;
      assert.equal(s.regions.length, 0, `seed ${seed}: reducible graph used a dispatcher`);
      assert.equal(census(s, size).dispatchers, 0);
    } else {
      irreducible++;
      assert.ok(s.regions.length > 0, `seed ${seed}: irreducible graph not detected`);
      if (s.loopHeaders.size > 0) loopsAroundRegions++;
    }
  }
  assert.ok(reducible > 1000 && irreducible > 100 && loopsAroundRegions > 20,
    `${reducible} reducible, ${irreducible} irreducible, ${loopsAroundRegions} with loops too`);
});
