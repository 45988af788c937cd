/**
 * One eBPF function into one wasm function body: build the function's block graph,
 * structure it (`cfg/`), and walk the resulting tree, lowering each block's
 * instructions where the tree places it.
 *
 * Budget (checked mode): each block subtracts its instruction count from the `fuel`
 * local when entered. The interpreter stops before the first instruction past its
 * budget; the JIT keeps its checks off the straight-line code and still ends every run
 * the same way:
 *
 * - Checkpoints: at the function entry, at loop headers and, in irreducible regions,
 *   at every block, before the block's count is charged: no fuel left for its first
 *   instruction is BUDGET_EXCEEDED. So a run that cannot complete stops within one
 *   loop iteration. Before a helper call (the last instruction of its block, charged)
 *   the fuel must not be negative: no helper runs past the budget.
 * - Between checkpoints the fuel may go negative inside a block: instructions past the
 *   budget may then run (memory may differ by that partial block; nothing observable
 *   otherwise), but none may fail or end the run in its own way: every failure path
 *   (a trap, the slow path of a checked access, a packet load out of range) knows how
 *   many instructions of the block follow it (`rest`) and reports BUDGET_EXCEEDED
 *   when fuel + rest < 0, that is when the interpreter would have stopped before it.
 * - An exit with negative fuel is BUDGET_EXCEEDED (the runtime checks). A run that
 *   completes has executed exactly `budget - fuel` instructions, as the interpreter
 *   counts them.
 */
import { Op } from './wasm/index.js';
import { Trap } from './abi.js';
import { Term, type Flow } from './analysis/flow.js';
import { structure, StructOp, type Graph } from './cfg/index.js';
import { FunctionContext, cacheUseOf, lowerCondition, lowerInstruction, type ModuleEnv } from './lower/index.js';
import { STACK_FRAME_SIZE } from '../vm/index.js';

export interface EmittedFunction {
  readonly context: FunctionContext;
  /** Irreducible regions that needed a dispatcher. */
  readonly dispatcherRegions: number;
}

const NO_SUCCESSORS: readonly number[] = [];

/**
 * Emits the function whose blocks (global ids, entry first) are `blockIds`. `localOf`
 * is scratch of `flow.blockCount` entries, shared by the functions of one compile.
 */
export function emitFunction(env: ModuleEnv, flow: Flow, blockIds: Int32Array, localOf: Int32Array): EmittedFunction {
  const p = env.program;
  const size = blockIds.length;
  for (let i = 0; i < size; i++) localOf[blockIds[i]!] = i;
  const succ: (readonly number[])[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const id = blockIds[i]!;
    const s0 = flow.succ0[id]!;
    const s1 = flow.succ1[id]!;
    succ[i] = s1 >= 0 ? [localOf[s0]!, localOf[s1]!] : s0 >= 0 ? [localOf[s0]!] : NO_SUCCESSORS;
  }
  const graph: Graph = { size, entry: 0, succ };
  const s = structure(graph);
  let instructions = 0;
  let cacheUse = 0;
  for (let i = 0; i < size; i++) {
    const id = blockIds[i]!;
    instructions += flow.count[id]!;
    if (env.checked && flow.term[id] !== Term.FELL_OFF) cacheUse |= cacheUseOf(p, flow.start[id]!, flow.last[id]!);
  }
  const c = new FunctionContext(env, instructions, cacheUse);
  const b = c.b;

  // Prologue: the fuel the caller left, and this frame's r10.
  c.reload();
  b.globalGet(env.globals.stackEnd).globalGet(env.globals.depth).i32Const(STACK_FRAME_SIZE).op(Op.I32_MUL).op(Op.I32_SUB);
  c.set32(10);

  const emitNode = (node: number): void => {
    const id = blockIds[node]!;
    const start = flow.start[id]!;
    const last = flow.last[id]!;
    const term = flow.term[id]!;
    if (term === Term.FELL_OFF) {
      // Falling off needs one more instruction of budget in the interpreter: rest -1.
      c.trap(Trap.FELL_OFF_END, p.length - 1, -1);
      return;
    }
    c.beginBlock();
    if (c.fuel >= 0) {
      if (node === 0 || s.loopHeaders.has(node) || s.regionOf[node]! >= 0) c.checkFuel(start, 1);
      b.localGet(c.fuel).i64Const(flow.count[id]!).op(Op.I64_SUB).localSet(c.fuel);
    }
    let rest = flow.count[id]!;
    for (let pc = start; pc <= last; pc += p.opcode[pc] === 0x18 ? 2 : 1) {
      rest--;
      if (pc === last && (term === Term.JUMP || term === Term.COND)) break;
      lowerInstruction(c, pc, rest);
    }
  };

  // Walk the flat structure (see `cfg/structure.ts`), keeping the kinds of the open
  // constructs to recognise a `br 0` that ends a block.
  const code = s.code;
  const open: number[] = [];
  for (let i = 0; i < s.length;) {
    switch (code[i]) {
      case StructOp.BLOCK: b.block(); open.push(StructOp.BLOCK); i += 1; break;
      case StructOp.LOOP: b.loop(); open.push(StructOp.LOOP); i += 1; break;
      case StructOp.END: b.end(); open.pop(); i += 1; break;
      case StructOp.NODE: emitNode(code[i + 1]!); i += 2; break;
      case StructOp.IF:
        lowerCondition(c, flow.last[blockIds[code[i + 1]!]!]!, false);
        b.if();
        open.push(StructOp.IF);
        i += 2;
        break;
      case StructOp.ELSE: b.else(); i += 1; break;
      case StructOp.BR_IF:
        // Branch when the node goes to successor `when` (1: the jump is not taken).
        lowerCondition(c, flow.last[blockIds[code[i + 1]!]!]!, code[i + 2] === 1);
        b.brIf(code[i + 3]!);
        i += 4;
        break;
      case StructOp.BR: {
        // `br 0` as the last thing in a block is where control goes anyway.
        const depth = code[i + 1]!;
        if (!(depth === 0 && code[i + 2] === StructOp.END && open[open.length - 1] === StructOp.BLOCK)) b.br(depth);
        i += 2;
        break;
      }
      case StructOp.SET_LABEL: b.i32Const(code[i + 1]!).localSet(c.label); i += 2; break;
      case StructOp.DISPATCH: {
        const k = code[i + 1]!;
        const depths = Array.from(code.subarray(i + 2, i + 2 + k));
        b.localGet(c.label).brTable(depths, depths[k - 1]!);
        i += 2 + k;
        break;
      }
      default:
        throw new Error(`internal: structure operation ${code[i]}`);
    }
  }
  // Every path has returned or trapped; the validator needs to be told.
  b.op(Op.UNREACHABLE);
  return { context: c, dispatcherRegions: s.regions.length };
}
