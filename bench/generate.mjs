// A large, realistic eBPF program for the JIT's compile-time benchmark: what clang
// emits for ordinary C, at scale. Deterministic (seeded), valid for `prepare`, and it
// terminates (every loop counts down a few iterations), so both the interpreter and
// the JIT can run it and must agree on r0.
//
// Shape: a main function and leaf functions it calls. Each body is a sequence of
// statements, nested a few deep: ALU (64- and 32-bit, immediate and register, a few
// divisions), stack stores and loads through r10, if/else and if-without-else
// (forward conditional jumps and a `ja` over the else arm: reducible), counted loops
// (a backward `jne`), and calls. Registers follow the calling convention: the
// generator tracks which registers hold a value and never reads r1-r5 after a call
// nor r0/r6-r9 before writing them, as verified code would.

/** Returns `{ bytes, instructions }`: `instructions` slots of little-endian bytecode. */
export function generateProgram({ instructions = 100_000, functions = 40, seed = 1 } = {}) {
  let x = seed * 0x9e3779b1 || 1;
  const rand = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
  const int = (n) => Math.floor(rand() * n);
  const pick = (xs) => xs[int(xs.length)];

  const code = []; // [opcode, dst, src, offset, imm]
  const fixups = []; // { at, target: () => pc, kind: 'jump' | 'call' }
  const emit = (op, dst = 0, src = 0, off = 0, imm = 0) => { code.push([op, dst, src, off, imm]); return code.length - 1; };

  const GENERAL = [0, 1, 2, 3, 4, 5, 8, 9]; // r6 and r7 count loops
  const ALU_IMM = [0x07, 0x17, 0x27, 0x47, 0x57, 0x67, 0x77, 0xa7, 0xc7, 0xb7, 0x04, 0x14, 0x24, 0x44, 0x54, 0xa4, 0xb4];
  const ALU_REG = [0x0f, 0x1f, 0x2f, 0x4f, 0x5f, 0xaf, 0xbf, 0x0c, 0x1c, 0x2c, 0xac, 0xbc, 0x6f, 0x7f];
  const DIVS = [0x37, 0x97, 0x3f, 0x9f, 0x34, 0x94];
  const CONDS = [0x15, 0x55, 0x25, 0x35, 0xa5, 0xb5, 0x65, 0xc5, 0x1d, 0x5d, 0x2d, 0xad, 0x16, 0x56, 0xa6];

  const calleeEntries = [];

  /** Emits statements until about `budget` slots are used; `def` is a bitmask of registers holding values. */
  function body(budget, depth, state) {
    const start = code.length;
    while (code.length - start < budget) statement(depth, state, budget - (code.length - start));
  }

  const defined = (state) => GENERAL.filter((r) => state.def & (1 << r));
  function source(state) {
    const regs = defined(state);
    return regs.length > 0 ? pick(regs) : -1;
  }

  function statement(depth, state, room) {
    const roll = rand();
    if (roll < 0.5 || room < 12) return alu(state);
    if (roll < 0.62) { // store
      const r = source(state);
      if (r < 0) return alu(state);
      const slot = 1 + int(32);
      emit(pick([0x7b, 0x63]), 10, r, -8 * slot, 0);
      state.stored.add(slot);
      return;
    }
    if (roll < 0.72) { // load
      const slots = [...state.stored];
      if (slots.length === 0) return alu(state);
      const d = pick(GENERAL);
      emit(pick([0x79, 0x61, 0x71]), d, 10, -8 * pick(slots), 0);
      state.def |= 1 << d;
      return;
    }
    if (roll < 0.86 && depth < 4) return ifElse(depth, state, room);
    if (roll < 0.93 && depth < 2) return loop(depth, state, room);
    if (roll < 0.96 && state.main && calleeEntries.length > 0) return call(state);
    return alu(state);
  }

  function alu(state) {
    const d = pick(GENERAL);
    const s = source(state);
    const roll = rand();
    if (s < 0 || roll < 0.1) { emit(0xb7, d, 0, 0, int(1000)); state.def |= 1 << d; return; }
    if (!(state.def & (1 << d))) { emit(0xbf, d, s, 0, 0); state.def |= 1 << d; return; }
    if (roll < 0.5) {
      const op = pick(ALU_IMM);
      const shift = op === 0x67 || op === 0x77 || op === 0xc7;
      emit(op, d, 0, 0, shift ? int(64) : int(2000) - 1000);
    } else if (roll < 0.95) {
      emit(pick(ALU_REG), d, s, 0, 0);
    } else {
      const op = pick(DIVS);
      emit(op, d, op & 0x08 ? s : 0, 0, op & 0x08 ? 0 : 1 + int(100));
    }
  }

  function condition(state) {
    const a = source(state);
    if (a < 0) { emit(0xb7, 0, 0, 0, 1); state.def |= 1; return condition(state); }
    const op = pick(CONDS);
    const b = source(state);
    return op & 0x08 ? emit(op, a, b, 0, 0) : emit(op, a, 0, 0, int(500));
  }

  function ifElse(depth, state, room) {
    const jcc = condition(state);
    const size = Math.min(room, 4 + int(40));
    const before = state.def;
    const hasElse = rand() < 0.6;
    // taken -> else arm (or past the then arm)
    const thenState = { ...state, def: before, stored: new Set(state.stored) };
    body(hasElse ? size / 2 : size, depth + 1, thenState);
    if (hasElse) {
      const ja = emit(0x05);
      patch(jcc, code.length);
      const elseState = { ...state, def: before, stored: new Set(state.stored) };
      body(size / 2, depth + 1, elseState);
      patch(ja, code.length);
      state.def = thenState.def & elseState.def;
      state.stored = new Set([...thenState.stored].filter((s) => elseState.stored.has(s)));
    } else {
      patch(jcc, code.length);
      state.def = before & thenState.def;
    }
  }

  function loop(depth, state, room) {
    const counter = 6 + depth;
    emit(0xb7, counter, 0, 0, 2 + int(3));
    const head = code.length;
    body(Math.min(room, 6 + int(30)), depth + 1, state);
    emit(0x17, counter, 0, 0, 1);
    const back = emit(0x55, counter, 0, 0, 0);
    patch(back, head);
  }

  function call(state) {
    const target = pick(calleeEntries);
    const at = emit(0x85, 0, 1, 0, 0);
    fixups.push({ at, target });
    state.def = (state.def & ~0b111110) | 1; // r0 = result; r1-r5 clobbered
  }

  function patch(at, target) {
    const off = target - (at + 1);
    if (off < -0x8000 || off > 0x7fff) throw new Error('jump too far');
    code[at][3] = off;
  }

  function fn(size, main) {
    const state = { def: main ? 0b10 : 0b111110, stored: new Set(), main };
    body(size, 0, state);
    if (!(state.def & 1)) emit(0xbf, 0, source(state) < 0 ? 10 : source(state), 0, 0);
    emit(0x95);
  }

  // Callees are laid out after main; generate them first into a separate list so main
  // can call them, then concatenate.
  const calleeSize = Math.floor(instructions * 0.6 / functions);
  const callees = [];
  for (let i = 0; i < functions; i++) {
    const mark = code.length;
    fn(calleeSize, false);
    callees.push(code.splice(mark));
  }
  // Main, then the callees; call targets are resolved once positions are known.
  let offset = 0;
  const layoutStart = [];
  for (const c of callees) { layoutStart.push(offset); offset += c.length; calleeEntries.push(layoutStart.length - 1); }
  fn(instructions - offset - 2, true);
  const mainLength = code.length;
  for (const c of callees) code.push(...c);
  for (const { at, target } of fixups) code[at][4] = mainLength + layoutStart[target] - (at + 1);

  const bytes = new Uint8Array(code.length * 8);
  const view = new DataView(bytes.buffer);
  code.forEach(([op, dst, src, off, imm], i) => {
    bytes[i * 8] = op;
    bytes[i * 8 + 1] = dst | (src << 4);
    view.setInt16(i * 8 + 2, off, true);
    view.setInt32(i * 8 + 4, imm, true);
  });
  return { bytes, instructions: code.length };
}
