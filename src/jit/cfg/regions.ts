/**
 * Irreducible regions: the cycles of a CFG that can be entered at more than one node,
 * so no single loop header dominates them and no nesting of `loop`s can express them.
 *
 * The search is the loop-nesting-forest construction (Havlak; Ramalingam): take the
 * strongly connected components of the reachable graph; a component with a single
 * entry is a natural loop, whose body (the component without its header) is searched
 * again for inner loops; a component with two or more entries is irreducible and is
 * reported whole, without looking inside. Collapsing each reported region into one
 * node leaves a reducible graph, which the structuring pass then turns into blocks
 * and loops; the region itself runs under a `br_table` dispatcher.
 *
 * Clang output is almost always reducible, so this normally reports nothing.
 */
import { stronglyConnected, type Adjacency, type Graph } from './graph.js';

export interface Regions {
  /** Each region's nodes, in reverse postorder. */
  readonly regions: readonly (readonly number[])[];
  /** The region each node belongs to, or -1. */
  readonly regionOf: Int32Array;
}

/**
 * Finds the irreducible regions among the nodes of `rpo` (the reachable nodes in
 * reverse postorder). `preds` are the predecessor lists of `g`.
 */
export function irreducibleRegions(g: Graph, rpo: readonly number[], preds: Adjacency): Regions {
  const order = new Int32Array(g.size).fill(-1);
  rpo.forEach((n, i) => { order[n] = i; });
  const regionOf = new Int32Array(g.size).fill(-1);
  const regions: number[][] = [];
  const member = new Uint8Array(g.size);

  const search = (nodes: readonly number[]): void => {
    for (const comp of stronglyConnected(g, nodes)) {
      if (comp.length === 1 && !g.succ[comp[0]!]!.includes(comp[0]!)) continue;
      for (const n of comp) member[n] = 1;
      const entryFromOutside = (n: number): boolean => {
        for (let k = preds.start[n]!; k < preds.start[n + 1]!; k++) {
          const p = preds.list[k]!;
          if (!member[p] && order[p]! >= 0) return true;
        }
        return false;
      };
      const entries = comp.filter((n) => n === g.entry || entryFromOutside(n));
      for (const n of comp) member[n] = 0;
      if (entries.length === 1) {
        const header = entries[0]!;
        search(comp.filter((n) => n !== header));
      } else {
        const sorted = [...comp].sort((a, b) => order[a]! - order[b]!);
        for (const n of sorted) regionOf[n] = regions.length;
        regions.push(sorted);
      }
    }
  };
  search(rpo);
  return { regions, regionOf };
}
