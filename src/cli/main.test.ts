import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cli, example } from './cli.test.fixture.js';
import { COMMANDS } from './main.js';

const BIN = join(ROOT, 'bin', 'ebee.js');


const tmp = mkdtempSync(join(tmpdir(), 'ebee-cli-'));
const write = (name: string, text: string | Uint8Array): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

test('help is available for the CLI and every command', () => {
  const top = cli('--help');
  assert.equal(top.status, 0);
  for (const c of COMMANDS) {
    assert.match(top.out, new RegExp(`\\b${c.name}\\b`));
    const help = cli(c.name, '--help');
    assert.equal(help.status, 0);
    assert.match(help.out, new RegExp(`^ebee ${c.name}`));
  }
  assert.equal(cli().status, 2, 'no command is a usage error');
});

test('usage errors exit 2 and say what is wrong', () => {
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.err, /unknown command 'frobnicate'/);
  assert.match(cli('run').err, /missing FILE/);
  assert.match(cli('run', example('sum.s'), '--bogus').err, /unknown option --bogus/);
  assert.match(cli('asm', example('sum.s'), '--dialect', 'intel').err, /must be one of pseudo-c, mnemonic/);
  assert.match(cli('run', example('sum.s'), '--mem', 'zz').err, /not a sequence of hex bytes/);
  assert.match(cli('run', example('sum.s'), '--budget', '-3').err, /positive integer/);
  assert.equal(cli('run', example('sum.s'), 'extra').status, 2);
});

test('bad input exits 1 with the error code and location', () => {
  const missing = cli('run', join(tmp, 'nope.s'));
  assert.equal(missing.status, 1);
  assert.match(missing.err, /cannot read .*nope\.s: ENOENT/);
  const bad = cli('asm', write('bad.s', 'r0 = 1\nr0 = frob r1\nexit\n'));
  assert.equal(bad.status, 1);
  assert.match(bad.err, /bad\.s:2:\d+: .*\[EBEE_ASM_/);
  const odd = cli('disasm', write('odd.bin', new Uint8Array(9)));
  assert.equal(odd.status, 1);
  assert.match(odd.err, /not a multiple of 8 .*\[EBEE_ISA_BAD_LENGTH\]/);
  const fault = cli('run', write('fault.s', 'r1 = 0\nr0 = *(u32 *)(r1 + 8)\nexit\n'));
  assert.equal(fault.status, 1);
  assert.match(fault.err, /pc 1: read of 4 bytes at 0x8 .*\[EBEE_VM_OUT_OF_BOUNDS\]/);
});

test('asm writes bytecode that disasm reads back, in both dialects', () => {
  const out = join(tmp, 'sum.bin');
  assert.equal(cli('asm', example('sum.s'), '-o', out).status, 0);
  const bytes = readFileSync(out);
  assert.equal(bytes.length % 8, 0);
  const text = cli('disasm', out);
  assert.equal(text.status, 0);
  assert.match(text.out, /r0 \*= r1/);
  const again = write('again.s', text.out + '\n');
  const out2 = join(tmp, 'again.bin');
  assert.equal(cli('asm', again, '-o', out2).status, 0);
  assert.deepEqual(readFileSync(out2), bytes, 'disassembly re-assembles to the same bytes');
  const mnemonic = cli('disasm', out, '--dialect', 'mnemonic');
  assert.match(mnemonic.out, /mul %r0, %r1/);
  const hex = cli('asm', example('fib.asm'));
  assert.match(hex.out.split('\n')[0]!, /^b7 00 00 00 00 00 00 00$/);
});

test('run prints r0, follows memory and traces', () => {
  const sum = cli('run', example('sum.s'));
  assert.equal(sum.status, 0);
  assert.match(sum.out, /r0 = 0x529ae \(338350\)/);
  const header = readFileSync(example('ipv4-header.bin'));
  assert.match(cli('run', example('ipv4-checksum.s'), '--mem-file', example('ipv4-header.bin')).out, /r0 = 0x0 /);
  const corrupt = Buffer.from(header);
  corrupt[10] ^= 1;
  const hexMem = corrupt.toString('hex');
  assert.doesNotMatch(cli('run', example('ipv4-checksum.s'), '--mem', hexMem).out, /r0 = 0x0 /);
  const traced = cli('run', example('fib.asm'), '--trace', '--json');
  const json = JSON.parse(traced.out) as { r0: string; executed: number; trace: { pc: number; insn: string }[] };
  assert.equal(json.r0, '0x27f80ddaa1ba7878');
  assert.equal(json.trace.length, json.executed);
  assert.equal(json.trace[0]!.insn, 'mov %r0, 0');
  const plain = cli('run', example('sum.s'), '--trace');
  assert.match(plain.out.split('\n')[1]!, /^\s+1: r7 = 1\s+; r7=0x1$/);
  const budget = cli('run', example('sum.s'), '--budget', '100');
  assert.equal(budget.status, 1);
  assert.match(budget.err, /EBEE_VM_BUDGET_EXCEEDED/);
});

test('run uses the JIT by default and the interpreter on request, with the same answer', () => {
  const jit = JSON.parse(cli('run', example('sum.s'), '--json').out) as { r0: string; executed: number; engine: string };
  const interp = JSON.parse(cli('run', example('sum.s'), '--json', '--interp').out) as typeof jit;
  assert.equal(jit.engine, 'jit');
  assert.equal(interp.engine, 'interpreter');
  assert.equal(jit.r0, interp.r0);
  assert.equal(jit.executed, interp.executed);
  assert.match(cli('run', example('sum.s'), '--unchecked').out, /unchecked: instructions not counted/);
  assert.match(cli('run', example('sum.s'), '--jit', '--interp').err, /not both/);
  assert.match(cli('run', example('sum.s'), '--jit', '--trace').err, /needs the interpreter/);
  for (const engine of ['--jit', '--interp']) {
    const fault = cli('run', write('fault2.s', 'r1 = 0\nr0 = *(u32 *)(r1 + 8)\nexit\n'), engine);
    assert.match(fault.err, /pc 1: read of 4 bytes at 0x8 .*\[EBEE_VM_OUT_OF_BOUNDS\]/, engine);
  }
});

test('conformance reports N passed, M failed, K skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-conf-'));
  writeFileSync(join(dir, 'ok.data'), '-- asm\nmov %r0, 3\nexit\n-- result\n0x3\n');
  writeFileSync(join(dir, 'bad.data'), '-- asm\nmov %r0, 2\nexit\n-- result\n0x3\n');
  writeFileSync(join(dir, 'none.data'), '-- asm\nexit\n');
  const r = cli('conformance', dir);
  assert.equal(r.status, 1);
  assert.match(r.out, /FAIL bad: r0 = 0x2, expected 0x3/);
  assert.match(r.out.split('\n').at(-1)!, /^1 passed, 1 failed, 1 skipped$/);
  const json = JSON.parse(cli('conformance', dir, '--json').out) as { passed: number; cases: unknown[] };
  assert.equal(json.passed, 1);
  assert.equal(json.cases.length, 3);
  assert.match(cli('conformance', dir, '--jit').out.split('\n').at(-1)!, /^1 passed, 1 failed, 1 skipped$/);
});

test('conformance-plugin speaks the suite runner protocol', () => {
  // r0 = r2 (memory length); exit
  const program = 'bf 20 00 00 00 00 00 00 95 00 00 00 00 00 00 00';
  const withMem = spawnSync(process.execPath, [BIN, 'conformance-plugin', '00010203'], { input: program, encoding: 'utf8' });
  assert.equal(withMem.status, 0, withMem.stderr);
  assert.equal(withMem.stdout, '4\n');
  const noMem = spawnSync(process.execPath, [BIN, 'conformance-plugin'], { input: program.replace(/ /g, ''), encoding: 'utf8' });
  assert.equal(noMem.stdout, '0\n');
  const jit = spawnSync(process.execPath, [BIN, 'conformance-plugin', '0001', '--jit'], { input: program, encoding: 'utf8' });
  assert.equal(jit.stdout, '2\n');
  const bad = spawnSync(process.execPath, [BIN, 'conformance-plugin'], { input: 'ff00000000000000', encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown opcode 0xff/);
});

test('the XDP unit-test example passes (node --test on a clang-built object, both engines)', () => {
  // A child of a test run sees NODE_TEST_CONTEXT and reports to its parent instead of stdout.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', example('xdp-unit-test.mjs')], { encoding: 'utf8', cwd: ROOT, env });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^# pass 4$/m);
  assert.match(run.stdout, /^# fail 0$/m);
});

test('the API example runs', () => {
  const run = spawnSync(process.execPath, [example('api.mjs')], { encoding: 'utf8', cwd: ROOT });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^r0 = 22n$/m);
  assert.match(run.stdout, /^jit r0 = 22n$/m);
  assert.match(run.stdout, /^mov %r1, 7$/m);
});
