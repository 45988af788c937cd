/**
 * The driver: Linux's do_check as a depth-first walk over paths. Each instruction is
 * checked against the abstract state; conditional jumps fork (the taken edge waits on a
 * stack, as in the kernel), states are stored at prune points and a new state subsumed
 * by a finished one stops its path; the same state reached again on its own path is an
 * infinite loop. The first rejection ends verification, as in the kernel.
 */
import {
  Class, JmpOp, LDDW_OPCODE, LddwSrc, Mode, SIZE_BYTES, CallSrc, classOf, formOf, type Instruction, type SizeValue,
} from '../isa/index.js';
import { checkAlu } from './alu.js';
import { checkCondJump } from './branch.js';
import { buildCfg, isExit, jumpTarget, type Cfg } from './cfg.js';
import { checkExit, checkHelperCall, checkLocalCall, checkStackDepth } from './calls.js';
import { checkGlobalCall, globalEntryState } from './global.js';
import { TEST_CONTEXT, type Env } from './env.js';
import { VerifierErrorCode, VerifierInputError } from './errors.js';
import { explain, type Trail } from './explain.js';
import { VerifierLog, formatChanged, formatInsn, formatState, formatStats, viewState } from './log.js';
import { checkMemInsn } from './memory.js';
import { stackClobber, stackWrite } from './stack.js';
import { liveSlotsOf, statesSafe } from './prune.js';
import { StackLiveness, type SlotMask } from './stack-liveness.js';
import { learningHooks } from './learn.js';
import { Precision } from './precision.js';
import { Backtracker, histEntry, histPc, noMarks } from './backtrack.js';
import { Reject } from './reject.js';
import { loadedScalar, readReg } from './regs.js';
import {
  NOT_INIT_REG, cloneState, constReg, cur, makeReg, newFrame, type Checkpoint, type VState,
} from './state.js';
import { cv } from './bridge.js';
import {
  ErrorCategory, RegType, type ExitState, type MapDescriptor, type Reg, type StateView, type VerifierResult,
  type VerifyOptions, type Explanation,
} from './types.js';

const DEFAULT_LIMIT = 1_000_000;
/** States kept per pc for the playground. */
const VIEWS_PER_PC = 16;
const PATH_KEEP = 64;
/** How many stored states at a pc a new state is compared with. */
const PRUNE_WINDOW = 64;
/** Instructions on a path between stored states (Linux: 8 instructions and 2 jumps). */
const CHECKPOINT_EVERY = 8;
/** A stored state is dropped after more than this many misses per hit, plus this many (Linux uses 3; 16 measured better here: fewer re-explored paths). */
const EVICT_AFTER = 16;

/**
 * A cheap summary of the live registers: equal states have equal fingerprints. Values
 * are summarised by a few bounds, not printed: printing cost more than comparing.
 */
function fingerprint(st: VState, live: number): string {
  let key = String(st.frames.length);
  for (const f of st.frames) key += ',' + f.callsite;
  const top = cur(st);
  for (let r = 0; r < 10; r++) {
    if (!(live & (1 << r))) continue;
    const x = top.regs[r]!;
    key += `|${x.type}${x.maybeNull ? '?' : ''}${x.off}:${x.range}`;
    if (x.type === RegType.SCALAR) key += ':' + x.value.umin + ':' + x.value.umax;
  }
  return key;
}

/** The pcs the path to `st` executed, newest first (from its history and its stored states'). */
function trailOf(st: VState): Trail | null {
  const segments: (readonly number[])[] = [st.hist];
  for (let cp = st.parent; cp; cp = cp.parent) segments.push(cp.hist);
  let trail: Trail | null = null;
  for (let k = segments.length - 1; k >= 0; k--) for (const e of segments[k]!) trail = { pc: histPc(e), prev: trail };
  return trail;
}

interface Work {
  st: VState;
  pc: number;
  logPos: number;
  from: number;
}

function mapTable(maps: VerifyOptions['maps']): Map<number, MapDescriptor> {
  const out = new Map<number, MapDescriptor>();
  if (!maps) return out;
  const entries: [number, MapDescriptor][] = Array.isArray(maps) ? maps.map((m, k) => [k, m]) : [...(maps as ReadonlyMap<number, MapDescriptor>)];
  for (const [k, m] of entries) {
    for (const field of ['keySize', 'valueSize', 'maxEntries', 'type'] as const) {
      if (!Number.isInteger(m[field]) || m[field] < 0) {
        throw new VerifierInputError(VerifierErrorCode.BAD_OPTION, `map ${k}: ${field} must be a non-negative integer, got ${String(m[field])}`);
      }
    }
    out.set(k, m);
  }
  return out;
}

function validate(program: readonly Instruction[], options: VerifyOptions): void {
  if (!Array.isArray(program)) throw new VerifierInputError(VerifierErrorCode.BAD_PROGRAM, 'the program must be an array of instructions');
  if (options.insnLimit !== undefined && (!Number.isInteger(options.insnLimit) || options.insnLimit < 1)) {
    throw new VerifierInputError(VerifierErrorCode.BAD_OPTION, `insnLimit must be a positive integer, got ${options.insnLimit}`);
  }
  if (options.logLevel !== undefined && ![0, 1, 2].includes(options.logLevel)) {
    throw new VerifierInputError(VerifierErrorCode.BAD_OPTION, `logLevel must be 0, 1 or 2, got ${String(options.logLevel)}`);
  }
}

/** Verifies a program as Linux would load it; never throws for a bad program, only for bad options. */
export function verify(program: readonly Instruction[], options: VerifyOptions = {}): VerifierResult {
  validate(program, options);
  return new Checker(program, options).run();
}

class Checker {
  private readonly log: VerifierLog;
  private readonly limit: number;
  private processed = 0;
  private totalStates = 0;
  private peakStates = 0;
  private maxPerInsn = 0;
  private idGen = 0;
  private readonly explored = new Map<number, { list: Checkpoint[]; byKey: Map<string, Checkpoint[]> }>();
  private readonly views = new Map<number, StateView[]>();
  private readonly exitStates: ExitState[] = [];
  private visited = new Uint8Array(0);
  private env!: Env;
  private cfg!: Cfg;
  private readonly work: Work[] = [];

  constructor(private readonly program: readonly Instruction[], private readonly options: VerifyOptions) {
    this.log = new VerifierLog(options.logLevel ?? 1);
    this.limit = options.insnLimit ?? DEFAULT_LIMIT;
  }

  private stackLive!: StackLiveness;
  /** Which numbers (registers, spilled slots) decided something, per stored state. */
  private backtrack!: Backtracker;
  /** The step being checked: its frame count, and whether it leaves a callback (for history entries). */
  private stepDepth = 0;
  private stepLeavesCallback = false;
  private readonly liveSlotsAt = (pc: number): SlotMask => this.stackLive.at(pc);

  private insnText = (pc: number): string => formatInsn(pc, this.cfg.code[pc]!, this.options.helperPrototype);

  run(): VerifierResult {
    const o = this.options;
    let failure: { err: Reject; st?: VState; trail: Trail | null } | undefined;
    try {
      this.cfg = buildCfg(this.program, { allowLoops: o.allowLoops ?? true });
      this.cfg.code.forEach((i, pc) => {
        if (i && !formOf(i)) throw new Reject(pc, `unknown opcode ${i.opcode.toString(16).padStart(2, '0')}`, ErrorCategory.INSN);
      });
    } catch (e) {
      if (!(e instanceof Reject)) throw e;
      this.cfg = { code: [], subprogs: [0], funcOf: new Int32Array(0), prunePoint: new Uint8Array(0), mayLoop: new Uint8Array(0), liveIn: new Uint16Array(0), succ: [], preds: [] };
      failure = { err: e, trail: null };
    }
    if (!failure) {
      const allowed = o.allowedHelpers;
      this.stackLive = new StackLiveness(this.cfg.succ, this.cfg.preds);
      const precision = new Precision(this.cfg.code);
      this.backtrack = new Backtracker(precision);
      this.env = {
        cfg: this.cfg,
        context: o.context ?? TEST_CONTEXT,
        maps: mapTable(o.maps),
        helperPrototype: o.helperPrototype ?? (() => undefined),
        helperAllowed: allowed === undefined ? () => true : typeof allowed === 'function' ? allowed : (id) => allowed.has(id),
        gpl: o.gpl ?? true,
        sleepable: o.sleepable ?? false,
        allowDivisionByZero: o.allowDivisionByZero ?? true,
        allowUninitStack: o.allowUninitStack ?? true,
        mapHelperCompatibility: o.mapHelperCompatibility ?? true,
        exitChecks: o.exitChecks ?? true,
        globalFunctions: o.globalFunctions ?? new Map(),
        returnRange: o.returnRange,
        assumptions: o.assumptions ?? new Map(),
        immediates: new Array<Reg | undefined>(this.cfg.code.length).fill(undefined),
        nextId: () => ++this.idGen,
        ...learningHooks(this.stackLive, precision, this.backtrack),
      };
      this.visited = new Uint8Array(this.cfg.code.length);
      failure = this.walk();
    }
    const error = failure ? { pc: failure.err.pc, message: failure.err.reason, category: failure.err.category } : undefined;
    if (failure) this.log.info(failure.err.reason);
    const stats = {
      processedInsns: this.processed, totalStates: this.totalStates, peakStates: this.peakStates,
      maxStatesPerInsn: this.maxPerInsn, markRead: 0,
    };
    this.log.info(formatStats(stats));
    let explanation: Explanation | undefined;
    if (failure) {
      const code = this.cfg.code.length ? this.cfg.code : this.program.flatMap((i) => (i.opcode === LDDW_OPCODE ? [i, null] : [i]));
      const text = (pc: number): string => formatInsn(pc, code[pc]!, o.helperPrototype);
      const path: string[] = [];
      for (let p = failure.st?.path ?? null; p && path.length < PATH_KEEP; p = p.prev) {
        path.unshift(`${text(p.pc).replace(/^\d+: \(\w+\) /, `${p.pc}: `)} (${p.taken ? 'taken' : 'not taken'})`);
      }
      explanation = explain(failure.err, code, failure.trail, path, text, o.lineInfo);
    }
    const deadCode: number[] = [];
    if (!failure) this.cfg.code.forEach((i, pc) => { if (i && !this.visited[pc]) deadCode.push(pc); });
    const result: { -readonly [K in keyof VerifierResult]: VerifierResult[K] } = {
      ok: !failure, log: this.log.text(), stats, states: this.views, exitStates: this.exitStates, deadCode,
    };
    if (error) result.error = error;
    if (explanation) result.explain = explanation;
    return result;
  }

  private initialState(): VState {
    const frame = newFrame(0, -1, 0, [makeReg(RegType.CTX)]);
    const entry = this.options.entryRegs;
    if (entry) {
      frame.regs.fill(NOT_INIT_REG);
      frame.regs[10] = makeReg(RegType.STACK, { frame: 0 });
      for (const [r, reg] of entry) frame.regs[r] = reg;
    }
    for (const e of this.options.entryStack ?? []) {
      if (e.value && e.size === 8) stackWrite(frame, 0, 10, e.off, 8, e.value);
      else stackClobber(frame, e.off, e.off + e.size, true);
    }
    return { frames: [frame], refs: [], parent: null, path: null, sinceCheckpoint: 0, hist: [] };
  }

  private endPath(st: VState): void {
    let cp = st.parent;
    while (cp) {
      cp.branches--;
      if (cp.branches > 0) break;
      cp = cp.parent;
    }
  }

  /** A path to explore later, forked at the instruction `from` being checked. */
  private push(st: VState, pc: number, from: number): void {
    if (st.parent) st.parent.branches++;
    st.hist.push(histEntry(from, this.stepDepth, this.stepLeavesCallback));
    this.work.push({ st, pc, logPos: this.log.lines.length, from });
  }

  /**
   * The program from pc 0, then each global function on its own from its signature
   * (Linux's do_check_main and do_check_subprogs); calls to those are not entered.
   */
  private walk(): { err: Reject; st: VState; trail: Trail | null } | undefined {
    const level = this.log.level;
    if (level >= 2) this.log.detail('func#0 @0');
    this.work.push({ st: this.initialState(), pc: 0, logPos: 0, from: -1 });
    const failed = this.walkQueued();
    if (failed) return failed;
    const globals = [...this.env.globalFunctions].filter(([pc]) => pc > 0 && this.cfg.subprogs.includes(pc)).sort((a, b) => a[0] - b[0]);
    for (const [pc, fn] of globals) {
      this.log.info(`Validating ${fn.name}() func at insn ${pc}...`);
      try {
        this.work.push({ st: globalEntryState(fn, pc, this.env.nextId), pc, logPos: this.log.lines.length, from: -1 });
      } catch (e) {
        if (!(e instanceof Reject)) throw e;
        return { err: e, st: this.initialState(), trail: null };
      }
      const err = this.walkQueued();
      if (err) return err;
    }
    return undefined;
  }

  private walkQueued(): { err: Reject; st: VState; trail: Trail | null } | undefined {
    const level = this.log.level;
    while (this.work.length) {
      const w = this.work.pop()!;
      if (level === 1) this.log.lines.length = Math.min(this.log.lines.length, w.logPos);
      if (w.from >= 0 && level >= 1) this.log.info(`from ${w.from} to ${w.pc}: ${formatState(w.st)}`);
      else if (level >= 2) this.log.detail(`0: ${formatState(w.st)}`);
      let st = w.st;
      let pc = w.pc;
      try {
        for (;;) {
          const next = this.step(st, pc);
          if (next === undefined) break;
          st = next.st;
          pc = next.pc;
        }
      } catch (e) {
        if (!(e instanceof Reject)) throw e;
        const err = e.pc < 0 ? new Reject(pc, e.reason, e.category, e.reg, e.hint) : e;
        return { err, st, trail: { pc, prev: trailOf(st) } };
      }
    }
    return undefined;
  }

  /** Checks the instruction at pc; returns the state and pc to continue with, or undefined when the path ended. */
  private step(st: VState, pc: number): { st: VState; pc: number } | undefined {
    st.sinceCheckpoint++;
    if (++this.processed > this.limit) {
      throw new Reject(pc, `BPF program is too large. Processed ${this.processed} insn`, ErrorCategory.LIMIT);
    }
    const cfg = this.cfg;
    if (cfg.prunePoint[pc] && this.prunedHere(st, pc)) {
      this.log.detail(`${pc}: safe`);
      this.endPath(st);
      return undefined;
    }
    const assumed = this.applyAssumptions(st, pc);
    if (!assumed) { this.endPath(st); return undefined; }
    st = assumed;
    this.visited[pc] = 1;
    if (this.options.recordStates !== false) {
      const list = this.views.get(pc) ?? [];
      if (list.length < VIEWS_PER_PC) { list.push(viewState(st)); this.views.set(pc, list); }
    }
    const i = cfg.code[pc]!;
    const before = this.log.level >= 2 ? cur(st).regs.slice() : undefined;
    const depth = st.frames.length;
    if (!before && this.log.level === 1) this.log.info(this.insnText(pc));
    let result: { st: VState; pc: number } | undefined;
    this.stepDepth = depth;
    this.stepLeavesCallback = isExit(i) && cur(st).callbackOf >= 0;
    try {
      result = this.exec(st, i, pc);
    } catch (e) {
      if (before) this.log.detail(this.insnText(pc));
      throw e;
    }
    if (result) {
      // A helper call that entered a callback crosses a boundary backtracking does not model.
      const entersCallback = result.st.frames.length > depth && classOf(i.opcode) === Class.JMP && i.src !== CallSrc.LOCAL && (i.opcode & 0x08) === 0;
      result.st.hist.push(histEntry(pc, depth, this.stepLeavesCallback || entersCallback));
    }
    if (before) {
      const line = this.insnText(pc);
      const f = result ? cur(result.st) : undefined;
      const changed = new Set<number>();
      if (f && result!.st.frames.length === depth) f.regs.forEach((r, k) => { if (r !== before[k]) changed.add(k); });
      const tail = f && changed.size ? formatChanged(f, changed) : '';
      this.log.detail(tail ? `${line.padEnd(40)}; ${tail}` : line);
    }
    return result;
  }

  private prunedHere(st: VState, pc: number): boolean {
    if (this.options.prune === false) return false;
    let at = this.explored.get(pc);
    if (!at) { at = { list: [], byKey: new Map() }; this.explored.set(pc, at); }
    const live = this.cfg.liveIn[pc]!;
    const top = cur(st);
    const callbackEntry = top.callbackOf >= 0 && top.subprog === pc;
    const loopsPrune = callbackEntry || this.options.termination === false;
    // The same state on its own path (an in-progress checkpoint): an infinite loop.
    // Only states with the same fingerprint can be equal, so this lookup is O(1); only
    // functions with a back-edge can loop.
    const key = this.cfg.mayLoop[pc] ? fingerprint(st, live) : undefined;
    if (key !== undefined && !loopsPrune) {
      const same = at.byKey.get(key);
      if (same) {
        for (const cp of same) {
          if (cp.branches > 0 && statesSafe(cp.state, st, live, true)) {
            throw new Reject(pc, `infinite loop detected at insn ${pc}`, ErrorCategory.INFINITE_LOOP, undefined, 'loop');
          }
        }
        // A finished state is never on a path again: only in-progress ones are kept here.
        if (same.some((cp) => cp.branches === 0)) {
          const open = same.filter((cp) => cp.branches > 0);
          if (open.length) at.byKey.set(key, open); else at.byKey.delete(key);
        }
      }
    }
    // Subsumption by a finished state (or, for callbacks and when termination is not
    // checked, by one in progress: a fixpoint). Comparing with the most recent states
    // only bounds the cost; fewer comparisons can only mean less pruning.
    const list = at.list;
    let evicted = false;
    let liveSlots: SlotMask[] | undefined;
    for (let k = list.length - 1, n = 0; k >= 0 && n < PRUNE_WINDOW; k--, n++) {
      const cp = list[k]!;
      if (cp.branches > 0 && !loopsPrune) continue;
      // Liveness and marks are complete only below finished states; others are compared in full.
      const done = cp.branches === 0;
      if (done) liveSlots ??= liveSlotsOf(st, pc, this.liveSlotsAt);
      if (statesSafe(cp.state, st, live, false, done ? cp.marks : undefined, done ? liveSlots : undefined, this.env.allowUninitStack, cp)) {
        cp.hits++;
        // What the explored state's checks consulted, this path's values decide too.
        if (done) this.backtrack.inherit(st, cp.marks); else this.backtrack.everything(st);
        return true;
      }
      // Linux's heuristic: a finished state that keeps failing to prune others is
      // dropped, so the comparisons a pc costs stay few. Only pruning is lost by it.
      if (done && ++cp.misses > cp.hits * EVICT_AFTER + EVICT_AFTER) evicted = true;
    }
    if (evicted) at.list = list.filter((cp) => !(cp.branches === 0 && cp.misses > cp.hits * EVICT_AFTER + EVICT_AFTER));
    const stored = at.list;
    // Store states sparsely, as Linux does: not at every prune point of a straight run;
    // but every callback entry, where the next iteration's (widened) state must find it.
    if (!callbackEntry && st.sinceCheckpoint < CHECKPOINT_EVERY && stored.length > 0) return false;
    const cp: Checkpoint = {
      pc, state: { ...cloneState(st), hist: [] }, branches: 1, parent: st.parent, hits: 0, misses: 0, hist: st.hist,
      marks: noMarks(st.frames.length), failAt: -1,
    };
    st.hist = [];
    stored.push(cp);
    if (key !== undefined) {
      const same = at.byKey.get(key);
      if (same) same.push(cp); else at.byKey.set(key, [cp]);
    }
    st.parent = cp;
    st.sinceCheckpoint = 0;
    this.totalStates++;
    this.peakStates = Math.max(this.peakStates, this.totalStates);
    this.maxPerInsn = Math.max(this.maxPerInsn, stored.length);
    return false;
  }

  private applyAssumptions(st: VState, pc: number): VState | null {
    const list = this.env.assumptions.get(pc);
    if (!list) return st;
    let s: VState | null = st;
    for (const a of list) {
      const fake: Instruction = { opcode: a.opcode, dst: a.dst, src: a.src, offset: 0, imm: a.imm };
      const edges = checkCondJump(this.env, s!, fake, pc);
      s = edges.taken;
      if (!s) return null;
    }
    return s;
  }

  private exec(st: VState, i: Instruction, pc: number): { st: VState; pc: number } | undefined {
    const env = this.env;
    const cls = classOf(i.opcode);
    switch (cls) {
      case Class.ALU: case Class.ALU64:
        checkAlu(env, st, i, pc);
        return { st, pc: pc + 1 };
      case Class.LDX: case Class.ST: case Class.STX:
        checkMemInsn(env, st, i, pc);
        if (cls !== Class.LDX) checkStackDepth(st, pc);
        return { st, pc: pc + 1 };
      case Class.LD:
        if (i.opcode === LDDW_OPCODE) { this.lddw(st, i, pc); return { st, pc: pc + 2 }; }
        this.legacyLoad(st, i, pc);
        return { st, pc: pc + 1 };
      default:
        return this.jump(st, i, pc);
    }
  }

  private lddw(st: VState, i: Instruction, pc: number): void {
    const f = cur(st);
    const imm64 = i.imm64 ?? BigInt.asUintN(64, BigInt(i.imm));
    if (i.dst === 10) throw new Reject(pc, 'frame pointer is read only', ErrorCategory.INSN, 10);
    const lookup = (): { handle: number; desc: MapDescriptor } => {
      const desc = this.env.maps.get(i.imm);
      if (!desc) throw new Reject(pc, `fd ${i.imm} is not pointing to valid bpf_map`, ErrorCategory.INSN);
      return { handle: i.imm, desc };
    };
    switch (i.src) {
      case LddwSrc.IMM64: f.regs[i.dst] = constReg(imm64, pc); return;
      case LddwSrc.MAP_FD: case LddwSrc.MAP_IDX:
        f.regs[i.dst] = makeReg(RegType.MAP_PTR, { map: lookup(), defPc: pc });
        return;
      case LddwSrc.MAP_VALUE: case LddwSrc.MAP_IDX_VALUE: {
        const map = lookup();
        const off = Number(imm64 >> 32n);
        if (off >= map.desc.valueSize) {
          throw new Reject(pc, `invalid access to map value pointer, value_size=${map.desc.valueSize} off=${off}`, ErrorCategory.MEM);
        }
        f.regs[i.dst] = makeReg(RegType.MAP_VALUE, { map, off, defPc: pc });
        return;
      }
      case LddwSrc.CODE_ADDR:
        f.regs[i.dst] = makeReg(RegType.FUNC, { funcPc: pc + 1 + i.imm, defPc: pc });
        return;
      default:
        throw new Reject(pc, `unsupported ldimm64 pseudo source ${i.src}`, ErrorCategory.INSN);
    }
  }

  private legacyLoad(st: VState, i: Instruction, pc: number): void {
    const f = cur(st);
    const r6 = f.regs[6]!;
    if (r6.type !== RegType.CTX) throw new Reject(pc, 'at the time of BPF_LD_ABS|IND R6 != pointer to skb', ErrorCategory.CTX, 6);
    if (st.refs.length) throw new Reject(pc, 'BPF_LD_[ABS|IND] cannot be mixed with socket references', ErrorCategory.REF_LEAK);
    if ((i.opcode & 0xe0) === Mode.IND) readReg(st, i.src, pc);
    for (let r = 1; r <= 5; r++) f.regs[r] = NOT_INIT_REG;
    f.regs[0] = loadedScalar(SIZE_BYTES[(i.opcode & 0x18) as SizeValue], false, pc);
  }

  private jump(st: VState, i: Instruction, pc: number): { st: VState; pc: number } | undefined {
    const op = i.opcode & 0xf0;
    if (op === JmpOp.JA) return { st, pc: jumpTarget(i, pc) };
    if (isExit(i)) {
      // r0 is checked against a range at a callback's exit and the program's (exitStates
      // report it, so paths are not merged on it). A static function's result matters
      // only if its caller's checks consult it: backtracking carries that back here.
      if (st.frames.length === 1 || cur(st).callbackOf >= 0) this.backtrack.demand(st, 1);
      const r = checkExit(this.env, st, pc);
      if (r.again) this.push(r.again, cur(r.again).subprog, pc);
      if (r.next < 0) {
        // The exit state is part of the result (the playground, test suites' post conditions).
        if (this.options.recordStates !== false) {
          this.stackLive.readAll(pc);
          this.backtrack.everything(st);
        }
        this.recordExit(st);
        this.endPath(st);
        return undefined;
      }
      return { st, pc: r.next };
    }
    if (op === JmpOp.CALL) return this.call(st, i, pc);
    const edges = checkCondJump(this.env, st, i, pc);
    const withPath = (s: VState, taken: boolean): VState => {
      s.path = { pc, taken, prev: s.path, depth: (s.path?.depth ?? 0) + 1 };
      return s;
    };
    const target = jumpTarget(i, pc);
    if (edges.taken && edges.fall) {
      this.push(withPath(edges.taken, true), target, pc);
      return { st: withPath(edges.fall, false), pc: pc + 1 };
    }
    if (edges.taken) return { st: withPath(edges.taken, true), pc: target };
    if (edges.fall) return { st: withPath(edges.fall, false), pc: pc + 1 };
    this.endPath(st);
    return undefined;
  }

  private call(st: VState, i: Instruction, pc: number): { st: VState; pc: number } {
    if ((i.opcode & 0x08) !== 0) {
      if (!this.options.allowCallx) throw new Reject(pc, 'BPF_CALL uses reserved fields', ErrorCategory.INSN);
      const target = readReg(st, i.dst, pc);
      this.backtrack.demand(st, 1 << i.dst);
      if (target.type === RegType.FUNC) return { st, pc: this.localCall(st, target.funcPc, pc) };
      if (target.type === RegType.SCALAR && target.value.isConstant()) return this.helper(st, Number(cv(target.value)), pc);
      throw new Reject(pc, `R${i.dst} callx target is not a known function`, ErrorCategory.CALL, i.dst);
    }
    // The callee's checks carry their demands back through the call (backtrack.ts).
    if (i.src === CallSrc.LOCAL) return { st, pc: this.localCall(st, pc + 1 + i.imm, pc) };
    if (i.src === CallSrc.KFUNC) throw new Reject(pc, 'calling kernel functions is not supported', ErrorCategory.CALL);
    return this.helper(st, i.imm, pc);
  }

  /** A static function is entered in the caller's context; a global one is assumed valid (verified on its own). */
  private localCall(st: VState, target: number, pc: number): number {
    const g = this.env.globalFunctions.get(target);
    if (g) {
      this.log.detail(`Func '${g.name}' at insn ${target} is global and assumed valid.`);
      return checkGlobalCall(this.env, st, g, target, pc);
    }
    return checkLocalCall(st, target, pc);
  }

  private helper(st: VState, id: number, pc: number): { st: VState; pc: number } {
    const out = checkHelperCall(this.env, st, id, pc);
    if (out.alsoAfterCall) this.push(out.alsoAfterCall, pc + 1, pc);
    return { st, pc: out.next };
  }

  private recordExit(st: VState): void {
    const f = st.frames[0]!;
    if (f.subprog !== 0) return; // a global function's own walk: not the program's exit
    const stack = new Map<number, Reg>();
    f.stack.forEach((s, k) => { if (s?.spill) stack.set(-8 * (k + 1), s.spill); });
    this.exitStates.push({ regs: f.regs.slice(), stack });
  }
}
