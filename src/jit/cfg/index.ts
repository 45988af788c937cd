/**
 * `jit/cfg/`: control-flow analyses and the structuring pass over plain block ids.
 * Knows nothing of eBPF or WebAssembly encoding.
 */
export {
  type Graph, type Adjacency, predecessors, reversePostorder, orderIndex, immediateDominators, dominatorTree, dominanceQuery,
  stronglyConnected,
} from './graph.js';
export { irreducibleRegions, type Regions } from './regions.js';
export { structure, toTree, Op as StructOp, StructureError, type Stmt, type Structure } from './structure.js';
