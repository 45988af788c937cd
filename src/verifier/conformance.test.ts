/**
 * bpf_conformance as a soundness check: each test program is verified with r1 = a
 * pointer to its memory (of the memory's size) and r2 = the size; where ebee accepts
 * it, the r0 the interpreter computes must lie in ebee's range for r0 at some exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleMnemonic } from '../asm/index.js';
import { parseDataFile } from '../conformance/data.js';
import { runConformanceProgram } from '../conformance/run.js';
import { ArgKind, RetKind, type HelperPrototype } from '../helpers/prototype.js';
import { constReg, makeReg } from './state.js';
import { RegType, type Reg } from './types.js';
import { verify } from './verify.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = resolve(root, 'shared/corpora/bpf_conformance');

/** The suite's only helper: 5 returns its argument. */
const IDENTITY: HelperPrototype = { id: 5, name: 'identity', ret: RetKind.INTEGER, args: [ArgKind.ANYTHING] };

/** Measured this session: programs ebee accepts out of those with an expected result. */
const FLOOR_VERIFIED = 300;

test('bpf_conformance: accepted programs return an r0 inside the verifier\'s range', { skip: existsSync(dir) ? false : `${dir} is absent` }, () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
  let total = 0;
  let verified = 0;
  const unsound: string[] = [];
  for (const f of files) {
    const data = parseDataFile(readFileSync(join(dir, f), 'utf8'), { file: f });
    if (data.result === undefined) continue;
    let insns;
    try {
      insns = assembleMnemonic(data.asm, { file: f, firstLine: data.asmLine }).insns;
    } catch {
      continue; // programs the suite expects to be malformed
    }
    total++;
    const mem = data.mem ?? new Uint8Array(0);
    const entry = new Map<number, Reg>([
      [1, mem.length ? makeReg(RegType.MEM, { memSize: mem.length }) : constReg(0n, -1)],
      [2, constReg(BigInt(mem.length), -1)],
    ]);
    const r = verify(insns, {
      entryRegs: entry, helperPrototype: (id) => (id === 5 ? IDENTITY : undefined), allowCallx: true, logLevel: 0,
      recordStates: false,
    });
    if (!r.ok) continue;
    verified++;
    const r0 = runConformanceProgram(insns, data.mem);
    const ok = r.exitStates.some((e) => e.regs[0]!.type === RegType.SCALAR && e.regs[0]!.value.contains(r0));
    if (!ok) unsound.push(`${f}: r0 = 0x${r0.toString(16)} not in ${r.exitStates.map((e) => e.regs[0]!.value.toString()).join(' | ')}`);
  }
  console.log(`bpf_conformance: verified ${verified}/${total}, r0 outside the verifier's range: ${unsound.length}`);
  assert.deepEqual(unsound, []);
  assert.ok(verified >= FLOOR_VERIFIED, `verified ${verified} < ${FLOOR_VERIFIED}`);
});
