/** Reproductions and minimisation of programs on which the engines disagree. */
import {
  checkProgram, formOf, insn, lddw, slotIndices, targetOf, type Instruction,
} from '../isa/index.js';
import { AddressSpace } from '../vm/index.js';
import { disassemble } from '../asm/index.js';
import { differential, hex, type Setup } from './differential.test.fixture.js';
import { formKey, type Generated } from './generate.test.fixture.js';

// ---- Reproductions --------------------------------------------------------------------

/** The setup of a generated program, for a reproduction. */
export function describeSetup(setup: Setup): string {
  const space = new AddressSpace({ shared: setup.shared ?? false });
  const regions = (setup.regions ?? []).map((r) => typeof r.bytes === 'number'
    ? space.alloc(r.bytes, { name: r.name, writable: r.writable ?? true })
    : space.allocBytes(r.bytes, { name: r.name, writable: r.writable ?? true }));
  const lines = regions.map((r, i) => {
    const init = setup.regions![i]!.bytes;
    const content = typeof init === 'number' ? `${init} zero bytes` : hex(init);
    return `  region ${i} ${r.name} at 0x${r.start.toString(16)}, ${r.size} bytes${r.writable ? '' : ', read-only'}: ${content}`;
  });
  const args = (setup.args?.(regions) ?? []).map((a) => `0x${BigInt.asUintN(64, BigInt(a)).toString(16)}`);
  return [
    `  args r1-r5: ${args.join(' ')}`,
    ...lines,
    `  budget ${setup.budget ?? 'default'}${setup.packet === undefined ? '' : `, packet = region ${setup.packet}`}${setup.shared ? ', shared memory' : ''}`,
  ].join('\n');
}

/** A reproduction: where the program comes from, its setup, its text and the mismatches. */
export function reproduction(g: { seed: number; index: number; insns: readonly Instruction[]; setup: Setup }, mismatches: readonly string[]): string {
  return [
    `seed ${g.seed}, index ${g.index}: ${g.insns.length} instructions`,
    describeSetup(g.setup),
    ...mismatches.map((m) => `  mismatch: ${m}`),
    disassemble(g.insns, { labels: true }).trimEnd().split('\n').map((l) => `    ${l}`).join('\n'),
  ].join('\n');
}

// ---- Minimising -----------------------------------------------------------------------

const NOP = insn(0x05, 0, 0, 0, 0); // goto +0

/** The program with the slot at instruction `index` removed, jumps across it adjusted. */
function removeAt(insns: readonly Instruction[], index: number): Instruction[] | undefined {
  const pcs = slotIndices(insns);
  const removed = pcs[index]!;
  const width = pcs[index + 1]! - removed;
  const moved = (pc: number): number => (pc > removed ? pc - width : pc);
  const out: Instruction[] = [];
  for (let n = 0; n < insns.length; n++) {
    if (n === index) continue;
    const i = insns[n]!;
    const target = targetOf(i, pcs[n]!);
    if (target === undefined) { out.push(i); continue; }
    const delta = moved(target) - (moved(pcs[n]!) + 1);
    const op = i.opcode & 0xf0;
    if (i.opcode === 0x18) out.push(lddw(i.dst, BigInt(delta >>> 0), 4));
    else if (op === 0x80 || ((i.opcode & 0x07) === 0x06 && op === 0x00)) out.push(insn(i.opcode, i.dst, i.src, i.offset, delta));
    else {
      if (delta < -0x8000 || delta > 0x7fff) return undefined;
      out.push(insn(i.opcode, i.dst, i.src, delta, i.imm));
    }
  }
  try {
    checkProgram(out);
  } catch {
    return undefined;
  }
  return out;
}

/**
 * Shrinks a program while `stillFails` holds: replaces instructions by `goto +0`
 * (keeping every slot where it is), then deletes those no-ops, adjusting jumps.
 */
export function minimise(insns: readonly Instruction[], stillFails: (p: readonly Instruction[]) => boolean): Instruction[] {
  let best = [...insns];
  const tryProgram = (candidate: Instruction[] | undefined): boolean => {
    if (!candidate) return false;
    try {
      checkProgram(candidate);
    } catch {
      return false;
    }
    if (!stillFails(candidate)) return false;
    best = candidate;
    return true;
  };
  // Nop out chunks, halving the chunk size.
  for (let chunk = Math.max(1, best.length >> 1); chunk >= 1; chunk >>= 1) {
    for (let start = 0; start < best.length; start += chunk) {
      const candidate = best.flatMap((i, n) => {
        if (n < start || n >= start + chunk || (i.opcode === 0x05 && i.offset === 0 && i.dst === 0)) return [i];
        return i.opcode === 0x18 ? [NOP, NOP] : [NOP];
      });
      tryProgram(candidate);
    }
  }
  // Delete the no-ops, last first.
  for (let n = best.length - 1; n >= 0; n--) {
    const i = best[n]!;
    if (i.opcode === 0x05 && i.offset === 0 && i.dst === 0 && i.src === 0 && i.imm === 0) tryProgram(removeAt(best, n));
  }
  // Then try deleting each remaining instruction.
  for (let n = best.length - 1; n >= 0; n--) tryProgram(removeAt(best, n));
  return best;
}

/** The category of a mismatch line (`checked`, `checked memory`, `unchecked`, `validate`, ...). */
export const categoryOf = (mismatch: string): string => mismatch.slice(0, mismatch.indexOf(':'));

/** Minimises a mismatching generated program, keeping the first mismatch's category. */
export function minimiseMismatch(g: Generated, mismatches: readonly string[]): Instruction[] {
  const category = categoryOf(mismatches[0]!);
  return minimise(g.insns, (p) => {
    try {
      return differential(p, g.setup, { budgetEdges: true }).mismatches.some((m) => categoryOf(m) === category);
    } catch {
      return false;
    }
  });
}

/** The forms an instruction list uses (keys of `formKey`), for coverage. */
export function formsUsed(insns: readonly Instruction[]): string[] {
  const out: string[] = [];
  for (const i of insns) {
    const f = formOf(i);
    if (f) out.push(formKey(f));
  }
  return out;
}
