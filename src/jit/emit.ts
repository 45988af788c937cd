/**
 * One eBPF function into one wasm function body: build the function's block graph,
 * structure it (`cfg/`), and walk the resulting tree, lowering each block's
 * instructions where the tree places it.
 *
 * Budget (checked mode): each block subtracts its instruction count from the `fuel`
 * local when entered; the fuel is tested at the function entry, at loop headers, in
 * irreducible regions at every block, and before every helper call (see
 * `lower/calls.ts`). A run that completes has executed exactly `budget - fuel`
 * instructions, as the interpreter counts them; a run that cannot complete passes a
 * test with negative fuel within one loop iteration and stops with BUDGET_EXCEEDED.
 */
import { Op } from './wasm/index.js';
import { Trap } from './abi.js';
import { Term, type Flow } from './analysis/flow.js';
import { structure, type Graph, type Stmt } from './cfg/index.js';
import { FunctionContext, lowerCondition, lowerInstruction, type ModuleEnv } from './lower/index.js';
import { STACK_FRAME_SIZE } from '../vm/index.js';

export interface EmittedFunction {
  readonly context: FunctionContext;
  /** Irreducible regions that needed a dispatcher. */
  readonly dispatcherRegions: number;
}

/** Emits the function whose blocks (global ids, entry first) are `blockIds`. */
export function emitFunction(env: ModuleEnv, flow: Flow, blockIds: readonly number[]): EmittedFunction {
  const p = env.program;
  const local = new Map<number, number>();
  blockIds.forEach((id, i) => local.set(id, i));
  const graph: Graph = {
    size: blockIds.length,
    entry: 0,
    succ: blockIds.map((id) => flow.blocks[id]!.succ.map((s) => local.get(s)!)),
  };
  const s = structure(graph);
  const c = new FunctionContext(env);
  const b = c.b;

  // Prologue: the fuel the caller left, and this frame's r10.
  c.reload();
  b.globalGet(env.globals.stackEnd).globalGet(env.globals.depth).i32Const(STACK_FRAME_SIZE).op(Op.I32_MUL).op(Op.I32_SUB);
  c.set32(10);

  const checkpoint = (node: number): boolean => node === 0 || s.loopHeaders.has(node) || s.regionOf[node]! >= 0;

  const emitNode = (node: number): void => {
    const block = flow.blocks[blockIds[node]!]!;
    if (block.term === Term.FELL_OFF) {
      c.trap(Trap.FELL_OFF_END, p.length - 1);
      return;
    }
    if (c.fuel >= 0) {
      b.localGet(c.fuel).i64Const(block.count).op(Op.I64_SUB).localSet(c.fuel);
      if (checkpoint(node)) c.checkFuel(block.start);
    }
    let rest = block.count;
    for (let pc = block.start; pc <= block.last; pc += p.opcode[pc] === 0x18 ? 2 : 1) {
      rest--;
      if (pc === block.last && (block.term === Term.JUMP || block.term === Term.COND)) break;
      lowerInstruction(c, pc, rest);
    }
  };

  const condition = (node: number): void => lowerCondition(c, flow.blocks[blockIds[node]!]!.last);

  // Walk the tree with an explicit stack: nesting can be deep in big functions.
  type Frame = { readonly list: readonly Stmt[]; i: number; readonly block?: boolean; readonly after?: () => void };
  const stack: Frame[] = [{ list: s.body, i: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.list.length) {
      stack.pop();
      top.after?.();
      continue;
    }
    const stmt = top.list[top.i++]!;
    switch (stmt.kind) {
      case 'block':
        b.block();
        stack.push({ list: stmt.body, i: 0, block: true, after: () => b.end() });
        break;
      case 'loop':
        b.loop();
        stack.push({ list: stmt.body, i: 0, after: () => b.end() });
        break;
      case 'node':
        emitNode(stmt.node);
        break;
      case 'if': {
        condition(stmt.node);
        b.if();
        const otherwise = stmt.else;
        stack.push({
          list: stmt.then, i: 0,
          after: () => { b.else(); stack.push({ list: otherwise, i: 0, after: () => b.end() }); },
        });
        break;
      }
      case 'brIf':
        condition(stmt.node);
        if (stmt.when === 1) b.op(Op.I32_EQZ);
        b.brIf(stmt.depth);
        break;
      case 'br':
        // `br 0` as the last thing in a block is where control goes anyway.
        if (!(stmt.depth === 0 && top.block && top.i === top.list.length)) b.br(stmt.depth);
        break;
      case 'setLabel':
        b.i32Const(stmt.value).localSet(c.label);
        break;
      case 'dispatch':
        b.localGet(c.label).brTable(stmt.depths, stmt.depths[stmt.depths.length - 1]!);
        break;
    }
  }
  // Every path has returned or trapped; the validator needs to be told.
  b.op(Op.UNREACHABLE);
  return { context: c, dispatcherRegions: s.regions.length };
}
