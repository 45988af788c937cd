/** Loading verifies: rejected programs fail with the verifier's error, accepted ones run unchecked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MapType } from '../maps/index.js';
import { Runtime, RuntimeError, RuntimeErrorCode, VerifierRejectedError, verifyForRuntime, type VerifyRequest } from './index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const frame = (): Uint8Array => new Uint8Array([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17,
  0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0, 53, 0, 53, 0, 8, 0, 0]);

const MISSING_NULL_CHECK = `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = counts ll
  call 1
  r0 = *(u64 *)(r0 + 0)
  r0 = 2
  exit`;

test('a rejected program fails to load with the verifier\'s error at its pc, its log and explanation', () => {
  const rt = new Runtime();
  // A hash map: the lookup of an absent key really returns NULL.
  rt.createMap({ type: MapType.HASH, keySize: 4, valueSize: 8, maxEntries: 4, name: 'counts' });
  let caught: unknown;
  try { rt.loadProgram(MISSING_NULL_CHECK, { type: 'xdp', name: 'nocheck' }); } catch (e) { caught = e; }
  assert.ok(caught instanceof VerifierRejectedError, String(caught));
  assert.ok(caught instanceof RuntimeError);
  assert.equal(caught.code, RuntimeErrorCode.VERIFIER_REJECTED);
  assert.equal(caught.pc, 7);
  assert.match(caught.message, /^program nocheck was rejected by the verifier at insn 7: R0 invalid mem access 'map_value_or_null'/);
  assert.equal(caught.verifierError.pc, 7);
  assert.match(caught.log, /call bpf_map_lookup_elem/);
  assert.ok(caught.explain && /7:/.test(caught.explain.insn), 'the explanation names the failing instruction');
  assert.equal(rt.listPrograms().length, 0, 'nothing is registered');
  // The same program unverified loads, runs checked, and stops at the NULL read.
  const unsafe = rt.loadProgram(MISSING_NULL_CHECK, { type: 'xdp', verify: false });
  assert.deepEqual([unsafe.verified, unsafe.checked], [false, true]);
  assert.throws(() => unsafe.testRun({ data: frame() }), (e: unknown) => e instanceof Error && /EBEE_VM/.test((e as RuntimeError).code));
  assert.throws(() => rt.loadProgram(MISSING_NULL_CHECK, { type: 'xdp', verify: false, checked: false }),
    (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.BAD_OPTION);
});

test('a verified program runs unchecked in the JIT (no budget, no count) and checked on request', () => {
  const rt = new Runtime();
  const counts = rt.createMap({ type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 256, name: 'counts' });
  const prog = rt.loadProgram(readFileSync(`${ROOT}examples/xdp-count.s`, 'utf8'), { type: 'xdp' });
  assert.deepEqual([prog.verified, prog.checked], [true, false]);
  const fast = prog.testRun({ data: frame() });
  assert.equal(fast.executed, undefined, 'unchecked runs do not count instructions');
  assert.equal(prog.testRun({ data: frame(), budget: 1 }).retval, fast.retval, 'no budget applies');
  assert.equal(counts.lookupU64(17), 2n);
  const slow = rt.loadProgram(readFileSync(`${ROOT}examples/xdp-count.s`, 'utf8'), { type: 'xdp', checked: true });
  assert.deepEqual([slow.verified, slow.checked], [true, true]);
  assert.ok(slow.testRun({ data: frame() }).executed! > 5);
  assert.throws(() => slow.testRun({ data: frame(), budget: 1 }), (e: unknown) => (e as RuntimeError).code === 'EBEE_VM_BUDGET_EXCEEDED');
});

test('verify: false turns the verifier off; a custom hook replaces it and may return a verdict', () => {
  const off = new Runtime({ verify: false });
  const p = off.loadProgram('r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit', { type: 'xdp' });
  assert.deepEqual([p.verified, p.checked], [false, true]);
  const seen: VerifyRequest[] = [];
  const custom = new Runtime({ verify: (r) => { seen.push(r); return verifyForRuntime({ ...r, insns: r.insns, logLevel: 2 }); } });
  const q = custom.loadProgram('r0 = 2\nexit', { type: 'xdp', license: 'Proprietary' });
  assert.equal(q.verified, true);
  assert.equal(seen[0]!.license, 'Proprietary');
  assert.equal(seen[0]!.typeInfo.name, 'xdp');
  assert.throws(() => custom.loadProgram('r0 = r5\nexit', { type: 'xdp' }), (e: unknown) => e instanceof VerifierRejectedError && /R5 !read_ok/.test(e.message));
  assert.throws(() => new Runtime({ verify: 'yes' as unknown as boolean }).loadProgram('r0 = 0\nexit', { type: 'xdp' }),
    (e: unknown) => e instanceof RuntimeError && e.code === RuntimeErrorCode.BAD_OPTION);
});

test('the license decides gpl_only helpers; objects pass theirs and load verified', () => {
  // bpf_trace_printk (6) is gpl_only.
  const printk = 'r1 = 0\n*(u64 *)(r10 - 8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\ncall 6\nr0 = 0\nexit';
  const rt = new Runtime();
  assert.equal(rt.loadProgram(printk, { type: 'kprobe' }).verified, true);
  assert.throws(() => rt.loadProgram(printk, { type: 'kprobe', license: 'Proprietary' }),
    (e: unknown) => e instanceof VerifierRejectedError && /GPL/i.test(e.message));
  const obj = rt.loadObject(new Uint8Array(readFileSync(`${ROOT}src/elf/fixtures/xdp_parser.o`)));
  const parse = obj.program('xdp_parse');
  assert.deepEqual([parse.verified, parse.checked], [true, false]);
  const unverified = new Runtime().loadObject(new Uint8Array(readFileSync(`${ROOT}src/elf/fixtures/xdp_parser.o`)), { verify: false });
  assert.deepEqual([unverified.program('xdp_parse').verified, unverified.program('xdp_parse').checked], [false, true]);
});
