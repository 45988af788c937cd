/**
 * The llvm-mc oracle: ebee's pseudo-C assembler and printer checked byte for byte
 * against LLVM 19 (`llvm-mc -triple bpf -mcpu=v4`).
 *
 * 1. Every sample of every form LLVM can spell is printed by ebee, assembled by both
 *    ebee and llvm-mc, and the bytes must be identical.
 * 2. llvm-mc's bytes are decoded and printed by ebee again (in every print style), and
 *    llvm-mc must accept that text and produce the same bytes.
 * 3. A labelled disassembly (jumps, gotol and local calls by label) goes through
 *    llvm-mc too; this is how LLVM spells local calls and far `gotol`s.
 * 4. ebee's text is compared with `llvm-objdump -d` of the same object.
 *
 * What LLVM cannot express, and so is left out (the reason is in `EXCEPTIONS`):
 * kfunc calls and the lddw pseudo sources (LLVM emits a relocation and leaves src to
 * libbpf), local calls by number (llvm-mc reads `call 3` as helper 3; they are checked
 * by label instead), packet loads with an index register and a non-zero offset
 * (LLVM's `skb[rN]` has no offset), and `gotol` by a number beyond s16 (llvm-mc 19
 * parses that operand as 16 bits; a far gotol is checked by label instead).
 *
 * The suite skips itself when LLVM 19 is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  CallSrc, Class, INSTRUCTION_FORMS, JmpOp, Mode, decode, encode, type InsnForm, type Instruction,
} from '../isa/index.js';
import { assemblePseudoC, disassemblePseudoC, type PseudoCPrintOptions } from './pseudoc/index.js';
import { allSamples, retarget } from './pseudoc/samples.test.fixture.js';

/** Forms with no LLVM spelling at all, by table name. */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  'call kfunc': 'LLVM emits `call sym` plus a relocation; libbpf sets src=2',
  'lddw map_fd': 'LLVM emits `rN = sym ll` plus a relocation; libbpf sets the pseudo src',
  'lddw map_value': 'as lddw map_fd',
  'lddw var_addr': 'as lddw map_fd',
  'lddw code_addr': 'as lddw map_fd (LLVM encodes a code address as src 0 plus a relocation)',
  'lddw map_idx': 'as lddw map_fd',
  'lddw map_idx_value': 'as lddw map_fd',
};
/** Forms LLVM spells only with a label (checked in the labelled program). */
const LABEL_ONLY: ReadonlySet<string> = new Set(['call local']);

/**
 * The nearest instance LLVM can spell: its packet loads with an index have no offset
 * (`skb[rN]`), and llvm-mc 19 reads a numeric `gotol` operand as s16.
 */
function spellable(i: Instruction): Instruction {
  if ((i.opcode & 0xe7) === (Class.LD | Mode.IND)) return { ...i, imm: 0 };
  if (i.opcode === (JmpOp.JA | Class.JMP32)) return { ...i, imm: (i.imm << 16) >> 16 };
  return i;
}

function findLlvm(tool: string): string | undefined {
  for (const candidate of [`${tool}-19`, `/usr/lib/llvm-19/bin/${tool}`]) {
    const probe = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0 && /LLVM version 19\./.test(probe.stdout)) return candidate;
  }
  return undefined;
}

const mc = findLlvm('llvm-mc');
const objcopy = findLlvm('llvm-objcopy');
const objdump = findLlvm('llvm-objdump');
const missing = mc === undefined ? 'llvm-mc-19 not found' : objcopy === undefined ? 'llvm-objcopy-19 not found' : undefined;

const work = missing === undefined ? mkdtempSync(join(tmpdir(), 'ebee-oracle-')) : '';
let files = 0;

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed:\n${r.stderr.slice(0, 4000)}`);
  return r.stdout;
}

/** Assembles with llvm-mc; returns the object path and the bytes of `.text`. */
function llvmAssemble(text: string): { object: string; bytes: Uint8Array } {
  const base = join(work, `p${files++}`);
  writeFileSync(`${base}.s`, text);
  run(mc!, ['-triple', 'bpf', '-mcpu=v4', '-filetype=obj', `${base}.s`, '-o', `${base}.o`]);
  run(objcopy!, ['-O', 'binary', '--only-section=.text', `${base}.o`, `${base}.bin`]);
  return { object: `${base}.o`, bytes: new Uint8Array(readFileSync(`${base}.bin`)) };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The first differing instruction, for a readable failure. */
function firstDifference(text: string, ours: Uint8Array, theirs: Uint8Array): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.endsWith(':'));
  for (let slot = 0, k = 0; slot * 8 < Math.max(ours.length, theirs.length); k++) {
    const width = ours[slot * 8] === 0x18 ? 2 : 1;
    const a = hex(ours.subarray(slot * 8, (slot + width) * 8));
    const b = hex(theirs.subarray(slot * 8, (slot + width) * 8));
    if (a !== b) return `slot ${slot}: '${lines[k]?.trim()}' ebee ${a} llvm ${b}`;
    slot += width;
  }
  return 'lengths differ';
}

function assertSameBytes(text: string, ours: Uint8Array, theirs: Uint8Array): void {
  if (hex(ours) !== hex(theirs)) assert.fail(firstDifference(text, ours, theirs));
}

const STYLES: readonly PseudoCPrintOptions[] = [{}, { hex: true }, { alu32: true }, { hex: true, alu32: true }];

describe('llvm-mc 19 oracle (pseudo-C)', { skip: missing ?? false }, () => {
  after(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  const samples = allSamples().filter(({ form }) => !(form.name in EXCEPTIONS) && !LABEL_ONLY.has(form.name));
  const insns = samples.map((s) => spellable(s.insn));
  const text = disassemblePseudoC(insns);
  let llvm: { object: string; bytes: Uint8Array } | undefined;

  it('the exception list names real forms, and every other form is compared', () => {
    const names = new Set(INSTRUCTION_FORMS.map((f) => f.name));
    for (const name of [...Object.keys(EXCEPTIONS), ...LABEL_ONLY]) assert.ok(names.has(name), name);
    const compared = new Set<InsnForm>(samples.map((s) => s.form));
    const expected = INSTRUCTION_FORMS.filter((f) => !(f.name in EXCEPTIONS) && !LABEL_ONLY.has(f.name));
    assert.deepEqual(expected.filter((f) => !compared.has(f)).map((f) => f.name), []);
  });

  it('llvm-mc and ebee assemble ebee\'s text to identical bytes', () => {
    const ours = encode(assemblePseudoC(text).insns);
    assert.equal(hex(ours), hex(encode(insns)));
    llvm = llvmAssemble(text);
    assertSameBytes(text, ours, llvm.bytes);
  });

  it('llvm-mc accepts ebee\'s disassembly of its own bytes, in every style', () => {
    llvm ??= llvmAssemble(text);
    const decoded = decode(llvm.bytes);
    for (const style of STYLES) {
      const again = disassemblePseudoC(decoded, style);
      assertSameBytes(again, llvmAssemble(again).bytes, llvm.bytes);
      assertSameBytes(again, encode(assemblePseudoC(again).insns), llvm.bytes);
    }
  });

  it('labelled jumps, gotol and local calls assemble identically', () => {
    const labelled = retarget(allSamples().filter(({ form }) => !(form.name in EXCEPTIONS)).map((s) => spellable(s.insn)));
    assert.ok(labelled.some((i) => i.opcode === (JmpOp.CALL | Class.JMP) && i.src === CallSrc.LOCAL));
    for (const style of STYLES) {
      const source = disassemblePseudoC(labelled, { ...style, labels: true });
      assertSameBytes(source, llvmAssemble(source).bytes, encode(labelled));
      assertSameBytes(source, encode(assemblePseudoC(source).insns), encode(labelled));
    }
  });

  it('far gotols (beyond s16, both ways) assemble identically by label', () => {
    const source = `back:\ngotol far\n${'exit\n'.repeat(40000)}far:\nexit\ngotol back\n`;
    const ours = assemblePseudoC(source).insns;
    assert.deepEqual([ours[0]!.imm, ours[40002]!.imm], [40000, -40003]);
    assertSameBytes(source, encode(ours), llvmAssemble(source).bytes);
  });

  it('prints what llvm-objdump prints', { skip: objdump === undefined ? 'llvm-objdump-19 not found' : false }, () => {
    llvm ??= llvmAssemble(text);
    const decoded = decode(llvm.bytes);
    for (const hexImm of [false, true]) {
      const theirs = objdumpLines(llvm.object, hexImm);
      const ours = disassemblePseudoC(decoded, { alu32: true, hex: hexImm }).trimEnd().split('\n');
      assert.equal(theirs.length, ours.length);
      const differences = ours.flatMap((line, k) => (line === theirs[k] ? [] : [`ebee '${line}' / llvm-objdump '${theirs[k]}'`]));
      assert.deepEqual(differences, [], `hex: ${hexImm}`);
    }
  });
});

/** The instruction text of `llvm-objdump -d`, without addresses, bytes or `<sym+off>` notes. */
function objdumpLines(object: string, hexImm: boolean): string[] {
  const out = run(objdump!, [
    '-d', '--mcpu=v4', '--no-show-raw-insn', '--no-leading-addr', hexImm ? '--print-imm-hex' : '--no-print-imm-hex', object,
  ]);
  const body = out.slice(out.indexOf('<.text>:') + '<.text>:'.length);
  return body.split('\n')
    .map((l) => l.replace(/\s<[^<>\s]*>\s*$/, '').replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '');
}
