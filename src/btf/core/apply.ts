import { insn, slotIndices, type Instruction } from '../../isa/index.js';
import type { Btf } from '../btf.js';
import { BtfError } from '../errors.js';
import type { BtfCoreRelo } from '../ext.js';
import { calcRelocation, type CoreReloValue } from './calc.js';
import { CoreReloKind, CORE_RELO_KIND_NAMES } from './kinds.js';
import { findCandidates, matchSpec } from './match.js';
import { describeSpec, parseCoreSpec, reloError, type CoreSpec } from './spec.js';

/**
 * The helper id a poisoned instruction calls: libbpf's 0xbad2310 ("bad relo"), so a
 * program that reaches the instruction fails there and only there. ebee keeps the
 * number (a verifier log or a disassembly reads the same as with libbpf); no helper has
 * it, so the VMs stop with `EBEE_VM_UNKNOWN_HELPER` at that pc, and the loader can look
 * the pc up in `ApplyCoreResult.poisoned` to say which relocation failed and why.
 */
export const CORE_POISON_HELPER_ID = 0xbad2310;

/** What happened to one relocation. */
export interface CoreReloOutcome {
  relo: BtfCoreRelo;
  /** Slot index of the patched instruction. */
  pc: number;
  /** The access in C terms, e.g. `struct task_struct::pid`. */
  description: string;
  /** Target type ids that matched (empty when none did). */
  candidates: number[];
  origVal: bigint;
  newVal: bigint;
  poisoned: boolean;
  /** Why the instruction was poisoned. */
  reason?: string;
}

export interface ApplyCoreResult {
  /** The patched program (the input array is not modified). */
  insns: Instruction[];
  outcomes: CoreReloOutcome[];
  /** The outcomes whose instruction now calls `CORE_POISON_HELPER_ID`. */
  poisoned: CoreReloOutcome[];
}

/** One relocation's values against a target, before any instruction is touched. */
export interface ResolvedCoreRelo extends CoreReloValue {
  relo: BtfCoreRelo;
  description: string;
  /** Target type ids that matched (empty when none did). */
  candidates: number[];
  /** Why the relocation poisons its instruction, when it does. */
  reason?: string;
}

/** Per target BTF and local type: the candidates, so each type is searched once. */
export type CandidateCache = Map<number, number[]>;

/**
 * Computes one relocation's values against `target`: resolves the local access, tries
 * every candidate of the same essential name, and requires all that match to agree.
 */
export function resolveCoreRelocation(relo: BtfCoreRelo, local: Btf, target: Btf, cache: CandidateCache = new Map()): ResolvedCoreRelo {
  const localSpec = parseCoreSpec(local, relo.typeId, relo.accessStr, relo.kind);
  const description = `${CORE_RELO_KIND_NAMES[relo.kind]} ${describeSpec(localSpec)}`;
  const base = { relo, description };
  if (relo.kind === CoreReloKind.TYPE_ID_LOCAL) {
    return { ...base, candidates: [], ...strip(calcRelocation(relo.kind, localSpec, undefined)) };
  }
  const root = local.typeById(relo.typeId);
  if (root.name === '') throw reloError(`${description}: CO-RE cannot relocate an anonymous type`);
  let cands = cache.get(relo.typeId);
  if (!cands) cache.set(relo.typeId, (cands = findCandidates(local, relo.typeId, target)));
  let chosen: { spec: CoreSpec; value: ReturnType<typeof calcRelocation> } | undefined;
  const matched: number[] = [];
  for (const id of cands) {
    const spec = matchSpec(localSpec, target, id);
    if (!spec) continue;
    const value = calcRelocation(relo.kind, localSpec, spec);
    if (chosen === undefined) {
      chosen = { spec, value };
    } else if (spec.bitOffset !== chosen.spec.bitOffset) {
      throw reloError(`${description}: candidates disagree on the field offset (${chosen.spec.bitOffset / 8} vs ${spec.bitOffset / 8})`);
    } else if (value.poison !== chosen.value.poison || value.newVal !== chosen.value.newVal) {
      throw reloError(`${description}: candidates disagree on the value (${chosen.value.newVal} vs ${value.newVal})`);
    }
    matched.push(id);
  }
  if (chosen) return { ...base, candidates: matched, ...strip(chosen.value) };
  const value = strip(calcRelocation(relo.kind, localSpec, undefined));
  const reason = value.poison ? `${description}: ${cands.length ? 'no candidate has this field' : 'no type of this name in the target'}` : undefined;
  return { ...base, candidates: [], ...value, ...(reason ? { reason } : {}) };
}

function strip(v: ReturnType<typeof calcRelocation>): CoreReloValue {
  const { poisonReason: _unused, ...rest } = v;
  return rest;
}

/** Bytes of a load or store by its size field. */
const SIZE_BYTES: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
const BYTES_SIZE: Record<number, number> = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 };

/**
 * Applies a code section's CO-RE relocations to its instructions (`relo.insnOff` is a
 * byte offset into `insns`, as clang writes it). Each patched instruction gets the
 * target's value: the `imm` of an ALU instruction, the `offset` (and, where safe, the
 * access size) of a load or store, the 64-bit immediate of an `lddw`. A relocation
 * the target cannot satisfy poisons its instruction (see `CORE_POISON_HELPER_ID`); a
 * relocation that is itself wrong (bad access string, an instruction that does not
 * hold the value the compiler should have put there) throws `EBEE_BTF_CORE_RELO`.
 */
export function applyCoreRelocations(insns: readonly Instruction[], relos: readonly BtfCoreRelo[], local: Btf, target: Btf): ApplyCoreResult {
  const pcs = slotIndices(insns);
  const indexOfPc = new Map<number, number>();
  for (let i = 0; i < insns.length; i++) indexOfPc.set(pcs[i]!, i);
  const out: Instruction[][] = insns.map((i) => [i]);
  const outcomes: CoreReloOutcome[] = [];
  const poisoned: CoreReloOutcome[] = [];
  const cache: CandidateCache = new Map();
  relos.forEach((relo, n) => {
    const pc = relo.insnOff / 8;
    const index = indexOfPc.get(pc);
    if (!Number.isInteger(pc) || index === undefined) {
      throw reloError(`relocation #${n} points at byte ${relo.insnOff}, which starts no instruction`);
    }
    let r: ResolvedCoreRelo;
    try {
      r = resolveCoreRelocation(relo, local, target, cache);
    } catch (err) {
      if (err instanceof BtfError) throw reloError(`relocation #${n} at insn ${pc}: ${err.message}`, pc, err);
      throw err;
    }
    const outcome: CoreReloOutcome = {
      relo, pc, description: r.description, candidates: r.candidates, origVal: r.origVal, newVal: r.newVal, poisoned: false,
    };
    const orig = out[index]![0]!;
    const patched = patch(orig, r, pc, n);
    if (patched === undefined) {
      outcome.poisoned = true;
      outcome.reason = r.reason ?? `${r.description}: the field has a different size and type in the target; the access cannot be resized`;
      const call = insn(0x85, 0, 0, 0, CORE_POISON_HELPER_ID);
      // Both slots of an lddw, so jump offsets around it stay valid.
      out[index] = orig.opcode === 0x18 ? [call, call] : [call];
      poisoned.push(outcome);
    } else {
      out[index] = [patched];
    }
    outcomes.push(outcome);
  });
  return { insns: out.flat(), outcomes, poisoned };
}

/** The patched instruction, or undefined when it must be poisoned. */
function patch(i: Instruction, r: ResolvedCoreRelo, pc: number, n: number): Instruction | undefined {
  if (r.poison) return undefined;
  const fail = (msg: string): never => {
    throw reloError(`relocation #${n} (${r.description}) at insn ${pc}: ${msg}`, pc);
  };
  const cls = i.opcode & 0x07;
  const same = (have: bigint): boolean => BigInt.asUintN(64, have) === BigInt.asUintN(64, r.origVal);
  switch (cls) {
    case 0x04: case 0x07: {
      if ((i.opcode & 0x08) !== 0) fail('an ALU instruction with a register source cannot be relocated');
      if (r.validate && !same(BigInt(i.imm))) fail(`the instruction holds ${i.imm}, the local BTF says ${r.origVal}`);
      if (r.newVal > 0xffffffffn || r.newVal < -0x80000000n) fail(`value ${r.newVal} does not fit in a 32-bit immediate`);
      return { ...i, imm: Number(BigInt.asIntN(32, r.newVal)) };
    }
    case 0x01: case 0x02: case 0x03: {
      if (r.validate && !same(BigInt(i.offset))) fail(`the instruction's offset is ${i.offset}, the local BTF says ${r.origVal}`);
      if (r.newVal > 0x7fffn) fail(`offset ${r.newVal} does not fit in 16 bits`);
      if (r.failMemSizeAdjust) return undefined;
      let opcode = i.opcode;
      if (r.newSize !== r.origSize) {
        const bytes = SIZE_BYTES[i.opcode & 0x18]!;
        if (bytes !== r.origSize) fail(`the access is ${bytes} bytes, the local field ${r.origSize}`);
        const size = BYTES_SIZE[r.newSize];
        if (size === undefined) fail(`the target field is ${r.newSize} bytes, no load or store has that size`);
        opcode = (i.opcode & ~0x18) | size!;
      }
      return { ...i, opcode, offset: Number(r.newVal) };
    }
    case 0x00: {
      if (i.opcode !== 0x18 || i.src !== 0 || i.offset !== 0) fail('only a plain lddw can be relocated');
      if (r.validate && !same(i.imm64 ?? 0n)) fail(`the instruction holds ${i.imm64}, the local BTF says ${r.origVal}`);
      const imm64 = BigInt.asUintN(64, r.newVal);
      return { ...i, imm: Number(BigInt.asIntN(32, imm64)), imm64 };
    }
    default:
      return fail(`opcode 0x${i.opcode.toString(16)} cannot carry a relocated value`);
  }
}
