/**
 * The random program generator of the differential test: deterministic from
 * (seed, index), every program valid for `checkProgram`. See the class comment.
 */
import {
  INSTRUCTION_FORMS, checkProgram, insn, lddw, slotIndices, type InsnForm, type Instruction,
} from '../isa/index.js';
import { STACK_FRAME_SIZE } from '../vm/index.js';
import type { Setup } from './differential.test.fixture.js';
import { FUZZ_HELPERS, FUZZ_TYPED, Helper, M64 } from './fuzz-helpers.test.fixture.js';
import { uniform } from '../prng.test.fixture.js';

/** The generator's PRNG: mulberry32 as floats in [0, 1). */
export const rng = uniform;

// ---- The generator ------------------------------------------------------------------


/** One seed per (run seed, program index), well mixed. */
function mix(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(index + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15; h = Math.imul(h, 0x846ca68b); h ^= h >>> 16;
  return h >>> 0;
}

/** Forms that need a loader (map and variable pseudo sources) or a kernel (kfuncs). */
const NEEDS_LOADER = new Set(['lddw map_fd', 'lddw map_value', 'lddw var_addr', 'lddw map_idx', 'lddw map_idx_value', 'call kfunc']);

/** Every form the generator must produce at least once across a run. */
export const RUNNABLE_FORMS: readonly InsnForm[] = INSTRUCTION_FORMS.filter((f) => !NEEDS_LOADER.has(f.name));

/** A form's key: forms share names (the immediate and register variants). */
export const formKey = (f: InsnForm): string => `${f.name}/0x${f.opcode.toString(16).padStart(2, '0')}`;

const ALU_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'alu' || f.kind === 'neg' || f.kind === 'mov' || f.kind === 'end');
const COND_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'jcond');
const LOAD_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'ldx');
const STORE_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'st' || f.kind === 'stx');
const ATOMIC_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'atomic');
const PACKET_FORMS = INSTRUCTION_FORMS.filter((f) => f.kind === 'ldabs' || f.kind === 'ldind');

const sizeOf = (opcode: number): number => [4, 2, 1, 8][(opcode >> 3) & 3]!;

const INTERESTING = [
  0, 1, -1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 255, 256, 0x7fff, 0x8000, -0x8000, 0xffff,
  0x7fffffff, -0x80000000, -2, 0x12345678, -0x12345678,
];
const INTERESTING64 = [
  0n, 1n, M64, 0x8000000000000000n, 0x7fffffffffffffffn, 0xffffffffn, 0x100000000n, 0x80000000n,
  0xffffffff80000000n, 0x0123456789abcdefn, 0xfedcba9876543210n, 0x00000000ffff0000n,
];

interface Item {
  insn: Instruction;
  /** A jump (`offset`), `gotol` / local call (`imm`), or code address (`code`) to a label. */
  to?: { label: number; field: 'offset' | 'imm' | 'code' };
}

interface FunctionPlan {
  readonly label: number;
  readonly kind: 'main' | 'plain' | 'recursive' | 'callback';
  /** Index among the plain functions (calls only go to later ones, so recursion is bounded). */
  readonly order: number;
}

export interface Generated {
  readonly seed: number;
  readonly index: number;
  readonly insns: readonly Instruction[];
  readonly setup: Setup;
  /** Shapes generated: loop, pointer-loop, irreducible, recursion, callback, callx, packet, chaos, shared, ... */
  readonly features: readonly string[];
}

/**
 * Generates one program. The layout: `main` (pc 0), then zero to three plain
 * functions, perhaps a recursive one and a callback for the LOOP helper. Bodies are
 * statements: arithmetic of every ALU form, loads, stores and atomics (mostly on the
 * stack through r10 and on the data region through r6, which the prologue copies from
 * r1; reads of the read-only region through r7; now and then outside every region: null,
 * the reserved low memory, just past an end, high bits set, beyond memory, writes to
 * the read-only region), if/else, counted loops (r8 and r9 as counters, kept out of
 * reach of the body), pointer loops over the data region, irreducible loops (two
 * entries), helper calls, local calls, callx of code addresses and helper ids, legacy
 * packet loads, early exits and, rarely, "chaos": a jump to any statement of the
 * function or a write to a protected register, which makes runaway loops and wild
 * pointers.
 */
export function generateProgram(seed: number, index: number): Generated {
  return new Generator(seed, index).generate();
}

class Generator {
  private readonly r: () => number;
  private readonly items: Item[] = [];
  private readonly labelAt: number[] = [];
  private readonly features = new Set<string>();
  /** Registers the statements must not write (r6, r7 and live loop counters). */
  private readonly protectedRegs = new Set<number>([6, 7]);
  private functions: FunctionPlan[] = [];
  private current!: FunctionPlan;
  /** Item indices of statement starts in the current function (chaos targets). */
  private points: number[] = [];
  /** Chaos jumps of the current function, bound to a random point when it ends. */
  private chaosLabels: number[] = [];
  private statementsLeft = 0;
  private loopDepth = 0;
  private nesting = 0;
  private readonly chaos: number;
  /** How often an access is aimed outside every region (0 in many programs). */
  private readonly outsideRate: number;
  private readonly dataSize: number;
  private readonly roSize: number;
  private readonly packetSize: number | undefined;

  constructor(private readonly seed: number, private readonly index: number) {
    this.r = rng(mix(seed, index));
    this.chaos = this.chance(0.25) ? 0.02 : 0.002;
    this.outsideRate = this.chance(0.4) ? 0 : this.chance(0.6) ? 0.02 : 0.08;
    this.dataSize = this.chance(0.8) ? 8 * (8 + this.int(25)) : 33 + this.int(200);
    this.roSize = 8 + this.int(57);
    this.packetSize = this.chance(0.35) ? this.int(49) : undefined;
  }

  private int(n: number): number { return Math.floor(this.r() * n); }
  private chance(p: number): boolean { return this.r() < p; }
  private pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }

  private imm(): number {
    const roll = this.r();
    if (roll < 0.5) return this.pick(INTERESTING);
    if (roll < 0.75) return this.int(512) - 256;
    return this.int(0x100000000) | 0;
  }

  private imm64(): bigint {
    if (this.chance(0.5)) return this.pick(INTERESTING64);
    return (BigInt(this.int(0x100000000)) << 32n) | BigInt(this.int(0x100000000));
  }

  // -- Emission

  private label(): number {
    this.labelAt.push(-1);
    return this.labelAt.length - 1;
  }

  private bind(label: number): void {
    this.labelAt[label] = this.items.length;
  }

  private emit(i: Instruction, to?: Item['to']): void {
    this.items.push(to ? { insn: i, to } : { insn: i });
  }

  private jumpTo(i: Instruction, label: number): void {
    this.emit(i, { label, field: 'offset' });
  }

  private goto(label: number): void {
    if (this.chance(0.7)) this.jumpTo(insn(0x05, 0, 0, 0, 0), label);
    else this.emit(insn(0x06, 0, 0, 0, 0), { label, field: 'imm' }); // gotol
  }

  private exit(): void {
    this.emit(insn(0x95, 0, 0, 0, 0));
  }

  /** A register the statements may write. */
  private writable(): number {
    if (this.chance(this.chaos / 4)) {
      this.features.add('chaos');
      return this.int(10);
    }
    const free = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((r) => !this.protectedRegs.has(r));
    return this.pick(free);
  }

  private anyReg(): number {
    return this.int(11);
  }

  // -- Program

  generate(): Generated {
    const main: FunctionPlan = { label: this.label(), kind: 'main', order: -1 };
    const plain = this.int(4);
    this.functions = [main];
    for (let i = 0; i < plain; i++) this.functions.push({ label: this.label(), kind: 'plain', order: i });
    if (this.chance(0.3)) this.functions.push({ label: this.label(), kind: 'recursive', order: -1 });
    if (this.chance(0.3)) this.functions.push({ label: this.label(), kind: 'callback', order: -1 });
    for (const f of this.functions) this.emitFunction(f);
    const insns = this.finish();
    checkProgram(insns);

    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => this.int(256));
    const regions: { name: string; bytes: Uint8Array; writable?: boolean }[] = [
      { name: 'data', bytes: bytes(this.dataSize) },
      { name: 'rodata', bytes: bytes(this.roSize), writable: false },
    ];
    if (this.packetSize !== undefined) regions.push({ name: 'packet', bytes: bytes(this.packetSize) });
    const r4 = this.imm64();
    const r5 = BigInt(this.imm());
    const budgetRoll = this.r();
    const budget = budgetRoll < 0.85 ? 20_000 : budgetRoll < 0.97 ? 1 + this.int(2000) : 100_000;
    const shared = this.chance(0.1);
    if (shared) this.features.add('shared');
    if (this.packetSize !== undefined) this.features.add('packet');
    const setup: Setup = {
      regions,
      args: (rs) => [rs[0]!.start, rs[0]!.size, rs[1]!.start, r4, r5],
      helpers: FUZZ_HELPERS,
      typedHelpers: FUZZ_TYPED,
      budget,
      ...(this.packetSize !== undefined ? { packet: 2 } : {}),
      ...(shared ? { shared } : {}),
      initialBytes: 2 * 65536,
    };
    return { seed: this.seed, index: this.index, insns, setup, features: [...this.features].sort() };
  }

  private emitFunction(f: FunctionPlan): void {
    this.current = f;
    this.points = [];
    this.chaosLabels = [];
    this.bind(f.label);
    this.loopDepth = 0;
    this.nesting = 0;
    switch (f.kind) {
      case 'main':
        // r6 = data, r7 = read-only data; the statements never write them (but chaos).
        this.emit(insn(0xbf, 6, 1, 0, 0));
        this.emit(insn(0xbf, 7, 3, 0, 0));
        this.statementsLeft = 8 + this.int(50);
        this.statements(this.statementsLeft);
        break;
      case 'plain':
        this.statementsLeft = 3 + this.int(18);
        this.statements(this.statementsLeft);
        break;
      case 'recursive': {
        // if r1 s<= 0 goto out; r1 -= 1; push r1; call self; r0 += pop; out: ...
        this.features.add('recursion');
        const out = this.label();
        this.jumpTo(insn(this.pick([0xd5, 0xd6]), 1, 0, 0, 0), out);
        this.emit(insn(this.pick([0x07, 0x04]), 1, 0, 0, -1));
        this.emit(insn(0x7b, 10, 1, -8, 0));
        this.emit(insn(0x85, 0, 1, 0, 0), { label: f.label, field: 'imm' });
        this.emit(insn(0x79, 2, 10, -8, 0));
        this.emit(insn(0x0f, 0, 2, 0, 0));
        this.bind(out);
        this.statementsLeft = 2 + this.int(6);
        this.statements(this.statementsLeft, { noCalls: true });
        break;
      }
      case 'callback':
        // r1 = the iteration, r2 = the context; r0 != 0 stops the loop.
        this.features.add('callback');
        this.statementsLeft = 2 + this.int(12);
        this.statements(this.statementsLeft, { noLoopHelper: true });
        if (this.chance(0.7)) this.emit(insn(0xb7, 0, 0, 0, this.chance(0.85) ? 0 : 1));
        break;
    }
    this.points.push(this.items.length);
    // The last function may, rarely, run off the end of the program.
    const last = f === this.functions[this.functions.length - 1];
    if (!(last && this.chance(0.01))) {
      this.exit();
    } else {
      this.emit(insn(0x07, 0, 0, 0, 1)); // r0 += 1, then off the end
      this.features.add('fall-off');
    }
    for (const l of this.chaosLabels) this.labelAt[l] = this.pick(this.points);
  }

  private statements(n: number, flags: Flags = {}): void {
    for (let i = 0; i < n && this.statementsLeft > 0; i++) {
      this.statementsLeft--;
      this.points.push(this.items.length);
      this.statement(flags);
    }
  }

  private statement(flags: Flags): void {
    const nested = this.nesting < 3 && this.statementsLeft > 2;
    const loops = nested && this.loopDepth < 2;
    let roll = this.r() * 100;
    const take = (weight: number): boolean => (roll -= weight) < 0;
    if (take(33)) return this.alu();
    if (take(3)) return this.emit(lddw(this.writable(), this.imm64()));
    if (take(10)) return this.load();
    if (take(9)) return this.store();
    if (take(5)) return this.atomic();
    if (take(8)) return nested ? this.ifElse(flags) : this.alu();
    if (take(5)) return loops ? this.countedLoop(flags) : this.alu();
    if (take(2)) {
      return loops && this.loopDepth === 0 && !this.protectedRegs.has(8) && !this.protectedRegs.has(9) ? this.pointerLoop(flags) : this.alu();
    }
    if (take(1.5)) return loops ? this.irreducible(flags) : this.alu();
    if (take(5)) return this.helperCall(flags);
    if (take(4)) return flags.noCalls ? this.alu() : this.localCall();
    if (take(2)) return this.callx(flags);
    if (take(3)) return this.packetSize !== undefined ? this.packetLoad() : this.alu();
    if (take(0.1)) return this.packetLoad(); // without a packet: UNSUPPORTED
    if (take(1)) return this.earlyExit();
    if (take(2)) return nested ? this.skip(flags) : this.alu();
    if (take(this.chaos * 100)) return this.chaosJump();
    return this.alu();
  }

  private alu(): void {
    const f = this.pick(ALU_FORMS);
    const src = f.src === 'reg' ? this.anyReg() : 0;
    const offset = typeof f.offset === 'object' ? f.offset.exact : 0;
    const imm = typeof f.imm === 'object' ? f.imm.exact : f.imm === 'zero' ? 0 : this.imm();
    this.emit(insn(f.opcode, this.writable(), src, offset, imm));
  }

  private cond(): Instruction {
    const f = this.pick(COND_FORMS);
    return insn(f.opcode, this.anyReg(), f.src === 'reg' ? this.anyReg() : 0, 0, f.src === 'reg' ? 0 : this.imm());
  }

  /**
   * An address for an access of `size` bytes: [base register, offset], after emitting
   * whatever sets the base up. Mostly inside a region, sometimes not.
   */
  private address(size: number, write: boolean, aligned: boolean): [number, number] {
    const align = (x: number): number => (aligned || this.chance(0.7) ? x - (((x % size) + size) % size) : x);
    if (this.chance(write ? this.outsideRate * 1.5 : this.outsideRate)) {
      // Writes to the read-only region are one of the ways out.
      return write && this.chance(0.15) ? [7, align(this.int(this.roSize - size + 1))] : this.outside(size);
    }
    const roll = this.r() * 100;
    if (roll < 45) return [10, -align(size + this.int(STACK_FRAME_SIZE - size + 1))];
    if (roll < 82) return [6, align(this.int(this.dataSize - size + 1))];
    if (roll < 92 || write) {
      // A computed index into the data region: t = (rX & mask) + r6.
      const t = this.scratch();
      let mask = 1;
      while (mask * 2 <= this.dataSize - size + 1) mask *= 2;
      mask -= 1;
      if (aligned) mask &= ~(size - 1);
      this.emit(insn(0xbf, t, this.anyReg(), 0, 0));
      this.emit(insn(0x57, t, 0, 0, mask));
      this.emit(insn(0x0f, t, 6, 0, 0));
      return [t, 0];
    }
    return [7, align(this.int(this.roSize - size + 1))];
  }

  /** A register for address arithmetic (r0-r5 and free counters). */
  private scratch(): number {
    const free = [0, 1, 2, 3, 4, 5, 8, 9].filter((r) => !this.protectedRegs.has(r));
    return this.pick(free);
  }

  private outside(size: number): [number, number] {
    this.features.add('outside');
    const t = this.scratch();
    switch (this.int(11)) {
      case 0: this.emit(insn(0xb7, t, 0, 0, 0)); return [t, this.int(64)]; // null
      case 1: this.emit(insn(0xb7, t, 0, 0, 0x8000)); return [t, 0]; // reserved low memory
      case 2: return [6, this.dataSize - size + 1 + this.int(size)]; // straddling or just past the end
      case 3: return [6, -size]; // just before the start
      case 4: this.emit(lddw(t, 1n << 32n)); this.emit(insn(0x0f, t, 6, 0, 0)); return [t, 0]; // high bits set
      case 5: this.emit(insn(0xbf, t, 6, 0, 0)); this.emit(insn(0x07, t, 0, 0, -0x20000)); return [t, 0]; // negative
      case 6: this.emit(lddw(t, 0x7fff0000n)); return [t, this.int(64)]; // beyond memory
      case 7: return [10, this.int(16) - (size > 1 ? this.int(size) : 0)]; // above the frame (the caller's, in a callee)
      case 8: return [10, -(STACK_FRAME_SIZE + size + 8 * this.int(70))]; // below the frame (a callee's, or below the stack)
      case 9: return [7, this.roSize - size + 1 + this.int(size)]; // past the read-only region
      default: this.features.add('wild'); return [this.anyReg(), this.int(0x10000) - 0x8000]; // whatever a register holds
    }
  }

  private load(): void {
    const f = this.pick(LOAD_FORMS);
    const size = sizeOf(f.opcode);
    const [base, off] = this.address(size, false, false);
    this.emit(insn(f.opcode, this.writable(), base, off, 0));
  }

  private store(): void {
    const f = this.pick(STORE_FORMS);
    const size = sizeOf(f.opcode);
    const [base, off] = this.address(size, true, false);
    if (f.kind === 'st') this.emit(insn(f.opcode, base, 0, off, this.imm()));
    else this.emit(insn(f.opcode, base, this.anyReg(), off, 0));
  }

  private atomic(): void {
    const f = this.pick(ATOMIC_FORMS);
    const size = f.opcode === 0xdb ? 8 : 4;
    const [base, off] = this.address(size, true, this.chance(0.9));
    const imm = typeof f.imm === 'object' ? f.imm.exact : 0;
    const fetches = (imm & 1) !== 0 && imm !== 0xf1;
    // A fetch writes src; cmpxchg writes r0 (never protected).
    const src = fetches ? this.writable() : this.anyReg();
    this.emit(insn(f.opcode, base, src, off, imm));
  }

  private ifElse(flags: Flags): void {
    this.nesting++;
    const other = this.label();
    const end = this.label();
    this.jumpTo(this.cond(), other);
    this.statements(1 + this.int(4), flags);
    const hasElse = this.chance(0.5);
    if (hasElse) this.goto(end);
    this.bind(other);
    if (hasElse) this.statements(1 + this.int(4), flags);
    this.bind(end);
    this.nesting--;
  }

  /** A free loop counter (r8 or r9), or undefined. */
  private counter(): number | undefined {
    const free = [8, 9].filter((r) => !this.protectedRegs.has(r));
    return free.length ? this.pick(free) : undefined;
  }

  private loopBody(flags: Flags, breakTo: number, continueTo: number): void {
    const n = 1 + this.int(6);
    for (let i = 0; i < n && this.statementsLeft > 0; i++) {
      if (this.chance(0.06)) {
        this.jumpTo(this.cond(), this.chance(0.5) ? breakTo : continueTo);
        continue;
      }
      this.statementsLeft--;
      this.points.push(this.items.length);
      this.statement(flags);
    }
  }

  /**
   * `c = n; head: body; latch: c -= 1; if c > 0 goto head` in its many spellings
   * (counting down or up, 64- or 32-bit, test at the bottom or at the top).
   */
  private countedLoop(flags: Flags): void {
    const c = this.counter();
    if (c === undefined) return this.alu();
    this.features.add('loop');
    const n = this.chance(0.9) ? 1 + this.int(8) : 9 + this.int(60);
    this.protectedRegs.add(c);
    this.nesting++;
    this.loopDepth++;
    const head = this.label();
    const latch = this.label();
    const end = this.label();
    const w = this.chance(0.5); // 32-bit counter arithmetic and compares
    const alu = w ? 0x04 : 0x07;
    const jmp = w ? 0x06 : 0x05;
    const up = this.chance(0.3);
    const topTest = this.chance(0.25);
    this.emit(insn(w ? 0xb4 : 0xb7, c, 0, 0, up ? 0 : n));
    this.bind(head);
    if (topTest) {
      // while (c != limit) { body; c +-= 1 }
      this.jumpTo(insn(jmp | 0x10, c, 0, 0, up ? n : 0), end); // if c == limit goto end
      this.loopBody(flags, end, latch);
      this.bind(latch);
      this.emit(insn(alu, c, 0, 0, up ? 1 : -1)); // c += +-1
      this.goto(head);
    } else {
      this.loopBody(flags, end, latch);
      this.bind(latch);
      if (up) {
        this.emit(insn(alu, c, 0, 0, 1));
        // c < n, c s< n, c <= n - 1, c s<= n - 1, c != n
        const [op, k] = this.pick([[0xa0, n], [0xc0, n], [0xb0, n - 1], [0xd0, n - 1], [0x50, n]] as const);
        this.jumpTo(insn(op | jmp, c, 0, 0, k), head);
      } else {
        this.emit(this.chance(0.5) ? insn(alu | 0x10, c, 0, 0, 1) : insn(alu, c, 0, 0, -1));
        // c != 0, c > 0, c >= 1, c s> 0, c s>= 1, c & 0xff (n < 256)
        const [op, k] = this.pick([[0x50, 0], [0x20, 0], [0x30, 1], [0x60, 0], [0x70, 1], [0x40, 0xff]] as const);
        this.jumpTo(insn(op | jmp, c, 0, 0, k), head);
      }
    }
    this.bind(end);
    this.loopDepth--;
    this.nesting--;
    this.protectedRegs.delete(c);
  }

  /** A checksum-style walk of the data region: r8 = p, r9 = end, one load per step. */
  private pointerLoop(flags: Flags): void {
    this.features.add('pointer-loop');
    const [p, e] = this.chance(0.5) ? [8, 9] : [9, 8];
    const size = this.pick([1, 2, 4, 8]);
    const steps = 1 + this.int(Math.floor(this.dataSize / size));
    this.protectedRegs.add(p).add(e);
    this.nesting++;
    this.loopDepth += 2;
    const head = this.label();
    const latch = this.label();
    const end = this.label();
    this.emit(insn(0xbf, p, 6, 0, 0));
    this.emit(insn(0xbf, e, 6, 0, 0));
    this.emit(insn(0x07, e, 0, 0, steps * size));
    this.bind(head);
    const v = this.writable();
    const load = this.pick(LOAD_FORMS.filter((f) => sizeOf(f.opcode) === size));
    this.emit(insn(load.opcode, v, p, 0, 0));
    this.emit(insn(this.pick([0x0f, 0xaf, 0x0c, 0x2f]), 0, v, 0, 0)); // r0 += v, ^=, w0 +=, *=
    if (this.chance(0.5)) this.loopBody(flags, end, latch);
    this.bind(latch);
    this.emit(insn(0x07, p, 0, 0, size));
    // p < e, e > p, p != e, e s> p (pointers are small positive numbers)
    const [op, a, b] = this.pick([[0xad, p, e], [0x2d, e, p], [0x5d, p, e], [0x6d, e, p], [0xae, p, e]] as const);
    this.jumpTo(insn(op, a, b, 0, 0), head);
    this.bind(end);
    this.loopDepth -= 2;
    this.nesting--;
    this.protectedRegs.delete(p);
    this.protectedRegs.delete(e);
  }

  /** `c = n; if cond goto b; a: ...; b: ...; c -= 1; if c s> 0 goto a`: a loop with two entries. */
  private irreducible(flags: Flags): void {
    const c = this.counter();
    if (c === undefined) return this.alu();
    this.features.add('irreducible');
    this.protectedRegs.add(c);
    this.nesting++;
    this.loopDepth++;
    const a = this.label();
    const b = this.label();
    const end = this.label();
    this.emit(insn(0xb7, c, 0, 0, 1 + this.int(6)));
    this.jumpTo(this.cond(), b);
    this.bind(a);
    this.loopBody(flags, end, b);
    this.bind(b);
    this.loopBody(flags, end, end);
    this.emit(insn(0x07, c, 0, 0, -1));
    this.jumpTo(insn(0x65, c, 0, 0, 0), a);
    this.bind(end);
    this.loopDepth--;
    this.nesting--;
    this.protectedRegs.delete(c);
  }

  /** Functions the current one may call: later plain ones, the recursive one. */
  private callees(): FunctionPlan[] {
    const me = this.current;
    return this.functions.filter((f) =>
      (f.kind === 'plain' && (me.kind === 'main' || (me.kind === 'plain' && f.order > me.order)))
      || (f.kind === 'recursive' && me.kind !== 'recursive'));
  }

  private setArgument(r: number, value: number): void {
    if (!this.protectedRegs.has(r)) this.emit(insn(0xb7, r, 0, 0, value));
  }

  private helperCall(flags: Flags): void {
    const callback = this.functions.find((f) => f.kind === 'callback');
    const roll = this.r();
    if (roll < 0.3) {
      // swap(r1 = a stack slot or a data word, r2)
      const [base, off] = this.r() < 1 - this.outsideRate * 2
        ? (this.chance(0.5) ? [10, -8 * (1 + this.int(64))] : [6, this.int(this.dataSize - 7)])
        : this.outside(8);
      this.emit(insn(0xbf, 1, base, 0, 0));
      this.emit(insn(0x07, 1, 0, 0, off));
      this.emit(insn(0x85, 0, 0, 0, Helper.SWAP));
    } else if (roll < 0.55) {
      if (!callback || flags.noLoopHelper) return this.emit(insn(0x85, 0, 0, 0, Helper.MIX));
      this.features.add('loop-helper');
      this.emit(lddw(1, BigInt(0), 4), { label: callback.label, field: 'code' });
      this.emit(insn(0xb7, 2, 0, 0, this.int(10)));
      this.emit(insn(0xbf, 3, this.chance(0.8) ? 6 : this.anyReg(), 0, 0));
      this.emit(insn(0x85, 0, 0, 0, Helper.LOOP));
    } else if (roll < 0.57) {
      this.emit(insn(0x85, 0, 0, 0, this.chance(0.5) ? Helper.FAIL : Helper.UNKNOWN));
    } else {
      this.emit(insn(0x85, 0, 0, 0, Helper.MIX));
    }
  }

  private localCall(): void {
    const callees = this.callees();
    if (callees.length === 0) return this.alu();
    const f = this.pick(callees);
    if (f.kind === 'recursive') this.setArgument(1, this.chance(0.8) ? this.int(7) : 7 + this.int(4));
    this.emit(insn(0x85, 0, 1, 0, 0), { label: f.label, field: 'imm' });
  }

  private callx(flags: Flags): void {
    this.features.add('callx');
    const t = this.scratch();
    const callees = this.callees();
    const roll = this.r();
    if (roll < 0.55 && callees.length > 0) {
      const f = this.pick(callees);
      if (f.kind === 'recursive' && t !== 1) this.setArgument(1, this.int(8));
      this.emit(lddw(t, 0n, 4), { label: f.label, field: 'code' });
    } else if (roll < 0.85) {
      const id = this.chance(0.05) ? Helper.UNKNOWN : this.chance(0.6) ? Helper.MIX : Helper.SWAP;
      this.emit(insn(0xb7, t, 0, 0, id));
      if (t !== 1 && (id === Helper.SWAP || this.chance(0.3))) { this.emit(insn(0xbf, 1, 10, 0, 0)); this.emit(insn(0x07, 1, 0, 0, -8)); }
    } else if (roll < 0.92 && !flags.noLoopHelper && this.functions.some((f) => f.kind === 'callback')) {
      // callx of the callback as an ordinary function
      this.emit(lddw(t, 0n, 4), { label: this.functions.find((f) => f.kind === 'callback')!.label, field: 'code' });
    } else {
      this.emit(lddw(t, this.imm64())); // neither a helper id nor a code address (almost always)
    }
    this.emit(insn(0x8d, t, 0, 0, 0));
  }

  private packetLoad(): void {
    const f = this.pick(PACKET_FORMS);
    const size = sizeOf(f.opcode);
    const length = this.packetSize ?? 8;
    const offset = this.chance(0.9) ? this.int(length + 1) - (this.chance(0.5) ? 0 : size - 1) : this.imm();
    if (f.kind === 'ldabs') {
      this.emit(insn(f.opcode, 0, 0, 0, offset));
    } else {
      const s = this.scratch();
      if (this.chance(0.85)) this.emit(insn(0xb7, s, 0, 0, this.int(length + 1)));
      this.emit(insn(f.opcode, 0, s, 0, this.chance(0.7) ? this.int(8) - 2 : this.imm()));
    }
  }

  private earlyExit(): void {
    if (this.current.kind === 'main' && this.chance(0.7)) return this.alu(); // keep most programs running
    const skip = this.label();
    this.jumpTo(this.cond(), skip);
    this.exit();
    this.bind(skip);
  }

  /** A forward jump over a few statements: `ja`, `gotol` or a condition. */
  private skip(flags: Flags): void {
    const over = this.label();
    const roll = this.r();
    if (roll < 0.4) this.goto(over);
    else this.jumpTo(this.cond(), over);
    this.nesting++;
    this.statements(1 + this.int(3), flags);
    this.nesting--;
    this.bind(over);
  }

  private chaosJump(): void {
    this.features.add('chaos');
    const l = this.label();
    this.chaosLabels.push(l);
    if (this.chance(0.5)) this.goto(l);
    else this.jumpTo(this.cond(), l);
  }

  // -- Layout

  private finish(): Instruction[] {
    const insns = this.items.map((i) => i.insn);
    const pcs = slotIndices(insns);
    return this.items.map((item, n) => {
      const to = item.to;
      if (!to) return item.insn;
      const at = this.labelAt[to.label]!;
      if (at < 0) throw new Error(`internal: label ${to.label} never bound`);
      const delta = pcs[at]! - (pcs[n]! + 1);
      const i = item.insn;
      if (to.field === 'offset') return insn(i.opcode, i.dst, i.src, delta, i.imm);
      if (to.field === 'imm') return insn(i.opcode, i.dst, i.src, i.offset, delta);
      return lddw(i.dst, BigInt(delta >>> 0), 4);
    });
  }
}

interface Flags {
  /** No local calls (the recursive function's tail: it must only recurse through its guard). */
  readonly noCalls?: boolean;
  /** No LOOP helper (inside the callback). */
  readonly noLoopHelper?: boolean;
}
