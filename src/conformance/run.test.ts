import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runConformanceDir, runConformanceProgram } from './run.js';
import { parseDataFile, type DataFile } from './data.js';
import { runCase } from './run.js';

// Tests run from dist/conformance/; the corpus lives beside the project in ../shared.
const CORPUS = fileURLToPath(new URL('../../../shared/corpora/bpf_conformance', import.meta.url));
const corpusMissing = existsSync(CORPUS) ? false : `corpus not found at ${CORPUS}`;

test('bpf_conformance: every test passes in the interpreter', { skip: corpusMissing }, () => {
  const suite = runConformanceDir(CORPUS);
  const failures = suite.cases.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.message}`);
  console.log(`bpf_conformance (interpreter): ${suite.passed} passed, ${suite.failed} failed, ${suite.skipped} skipped`);
  assert.deepEqual(failures, []);
  assert.equal(suite.passed, 313);
});

const file = (text: string): DataFile => parseDataFile(text, 'inline');

test('a wrong result fails, an expected error passes only when something fails', () => {
  assert.equal(runCase(file('-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n')).status, 'pass');
  const wrong = runCase(file('-- asm\nmov %r0, 2\nexit\n-- result\n0x1\n'));
  assert.equal(wrong.status, 'fail');
  assert.match(wrong.message ?? '', /r0 = 0x2, expected 0x1/);
  assert.equal(runCase(file('-- asm\nldxw %r0, [%r1]\nexit\n-- error\nanything\n')).status, 'pass');
  assert.equal(runCase(file('-- asm\nmov %r0, 0\nexit\n-- error\nanything\n')).status, 'fail');
  assert.equal(runCase(file('-- asm\nmov %r0, 0\nexit\n')).status, 'skip');
  const badAsm = runCase(file('-- asm\nfrob %r0\nexit\n-- result\n0x0\n'));
  assert.equal(badAsm.status, 'fail');
  assert.match(badAsm.message ?? '', /frob/);
});

test('the plugin entry point passes memory in r1/r2 and helper 5', () => {
  const bytes = new Uint8Array([
    0xbf, 0x20, 0, 0, 0, 0, 0, 0, // r0 = r2
    0x95, 0, 0, 0, 0, 0, 0, 0,
  ]);
  assert.equal(runConformanceProgram(bytes, new Uint8Array(8)), 8n);
  assert.equal(runConformanceProgram(bytes, undefined), 0n);
  const identity = new Uint8Array([
    0xb7, 0x01, 0, 0, 42, 0, 0, 0, // r1 = 42
    0x85, 0, 0, 0, 5, 0, 0, 0, // call 5
    0x95, 0, 0, 0, 0, 0, 0, 0,
  ]);
  assert.equal(runConformanceProgram(identity, undefined), 42n);
});
