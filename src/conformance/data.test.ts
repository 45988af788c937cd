import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleMnemonic, disassembleMnemonic } from '../asm/mnemonic/index.js';
import { decode, encode } from '../isa/index.js';
import { DataFileError, parseDataFile, rawBytes } from './data.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const SAMPLE = [
  '# Copyright (c) Someone',
  '# SPDX-License-Identifier: MIT',
  '-- c',
  '#include <stdint.h>',
  'int x; // --x',
  '-- asm',
  'mov %r0, 1 # one',
  'exit',
  '-- mem',
  'aa bb  11 # comment',
  '',
  'cc0d',
  '-- result # expected r0',
  '0x1',
  '-- raw',
  '0x00000001000000b7',
  '0x0000000000000095',
  '-- no register offset',
  'call instruction',
  '-- error',
  '# not part of the text',
  'unknown opcode',
  '',
].join('\n');

test('parses every section of a .data file', () => {
  const data = parseDataFile(SAMPLE, { file: 'dir/sample.data' });
  assert.equal(data.name, 'sample');
  assert.equal(data.asm, 'mov %r0, 1 # one\nexit');
  assert.equal(data.asmLine, 7);
  assert.deepEqual([...data.mem!], [0xaa, 0xbb, 0x11, 0xcc, 0x0d]);
  assert.equal(data.result, 1n);
  assert.deepEqual(data.raw, [0x00000001000000b7n, 0x95n]);
  assert.equal(data.error, 'unknown opcode');
  assert.equal(data.sections.get('c'), '#include <stdint.h>\nint x; // --x');
  assert.equal(data.sections.get('no register offset'), 'call instruction');
  assert.deepEqual([...data.sections.keys()], ['c', 'asm', 'mem', 'result', 'raw', 'no register offset', 'error']);
  assert.equal(hex(rawBytes(data.raw!)), hex(encode(assembleMnemonic(data.asm).insns)));
});

test('the name argument may be a plain string, and absent sections stay absent', () => {
  const data = parseDataFile('-- asm\r\nexit\r\n-- result\r\n42\r\n', 'tiny');
  assert.equal(data.name, 'tiny');
  assert.equal(data.asm, 'exit');
  assert.equal(data.result, 42n);
  assert.equal(data.mem, undefined);
  assert.equal(data.raw, undefined);
  assert.equal(data.error, undefined);
  const none = parseDataFile('# only comments\n');
  assert.equal(none.asm, '');
  assert.equal(none.asmLine, 0);
  assert.deepEqual(parseDataFile('-- mem\n-- asm\nexit').mem, new Uint8Array(0));
});

test('results are unsigned 64-bit, from hex, decimal or negative text', () => {
  const r = (text: string): bigint | undefined => parseDataFile(`-- result\n${text}\n`).result;
  assert.equal(r('0xffffffffffffffff'), 0xffffffffffffffffn);
  assert.equal(r('-1'), 0xffffffffffffffffn);
  assert.equal(r('  18446744073709551615  # max'), 0xffffffffffffffffn);
  assert.equal(r('0X10'), 16n);
  assert.equal(r('0'), 0n);
});

/** Asserts a typed BAD_FILE error at `line:column` of the named file. */
function bad(text: string, line: number, column: number, message: RegExp): void {
  let caught: unknown;
  try {
    parseDataFile(text, { file: 'broken.data' });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof DataFileError, `expected a DataFileError, got ${String(caught)}`);
  assert.equal(caught.code, 'EBEE_CONFORMANCE_BAD_FILE');
  assert.deepEqual(caught.location, { file: 'broken.data', line, column });
  assert.ok(caught.message.startsWith(`broken.data:${line}:${column}: `), caught.message);
  assert.match(caught.message, message);
}

test('malformed files get a typed error naming file, line and column', () => {
  bad('-- asm\nexit\n-- mem\naa bz\n', 4, 4, /'bz' is not a hex byte/);
  bad('-- mem\nabc\n', 2, 1, /'abc'/);
  bad('-- mem\n0xaa\n', 2, 1, /'0xaa'/);
  bad('-- result\nzz\n', 2, 1, /'zz' is not a 64-bit number/);
  bad('-- result\n0x1 0x2\n', 2, 5, /more than one value/);
  bad('-- result\n0x10000000000000000\n', 2, 1, /not a 64-bit number/);
  bad('-- result\n-0x8000000000000001\n', 2, 1, /not a 64-bit number/);
  bad('-- asm\nexit\n-- result\n# nothing\n', 3, 1, /-- result is empty/);
  bad('-- raw\n0x95\n  95\n', 3, 3, /'95' is not a 64-bit hex word/);
  bad('-- raw\n0x00000000000000095\n', 2, 1, /not a 64-bit hex word/);
  bad('-- asm\nexit\n-- asm\nexit\n', 3, 1, /appears twice \(first at line 1\)/);
  bad('# header\n  mov %r0, 1\n-- asm\n', 2, 3, /text before the first section/);
  bad('--\nexit\n', 1, 1, /without a name/);
});

/** The project root: the nearest directory above this file holding package.json. */
function projectRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const root = projectRoot();
const CORPUS = root === undefined ? undefined : join(root, '..', 'shared', 'corpora', 'bpf_conformance');
const corpusSkip = CORPUS === undefined || !existsSync(CORPUS)
  ? `bpf_conformance corpus not found (looked for ${CORPUS ?? '../shared/corpora/bpf_conformance next to the project root'})`
  : false;

test('every conformance .data file parses and its asm assembles (and matches -- raw)', { skip: corpusSkip }, (t) => {
  const files = readdirSync(CORPUS!).filter((f) => f.endsWith('.data')).sort();
  let withMem = 0;
  let withRaw = 0;
  let instructions = 0;
  const failures: string[] = [];
  for (const f of files) {
    try {
      const data = parseDataFile(readFileSync(join(CORPUS!, f), 'utf8'), { file: f });
      assert.notEqual(data.asm.trim(), '', `${f}: no asm`);
      assert.ok(data.result !== undefined || data.error !== undefined, `${f}: neither result nor error`);
      const program = assembleMnemonic(data.asm, { file: f, firstLine: data.asmLine });
      const bytes = encode(program.insns);
      instructions += program.insns.length;
      if (data.mem) withMem++;
      if (data.raw) {
        withRaw++;
        assert.equal(hex(bytes), hex(rawBytes(data.raw)), `${f}: assembled bytes differ from -- raw`);
      }
      // The disassembler must reproduce the program exactly, with and without labels.
      for (const labels of [false, true]) {
        const text = disassembleMnemonic(decode(bytes), { labels });
        assert.equal(hex(encode(assembleMnemonic(text).insns)), hex(bytes), `${f}: disassembly (labels ${labels}) does not round-trip`);
      }
    } catch (err) {
      failures.push(`${f}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  t.diagnostic(`${files.length} .data files, ${files.length - failures.length} assembled (${instructions} instructions); ` +
    `${withMem} with -- mem, ${withRaw} with -- raw matched`);
  console.log(`bpf_conformance: ${files.length - failures.length}/${files.length} files parsed and assembled, ${withRaw} raw sections matched`);
  assert.deepEqual(failures, []);
  assert.equal(files.length, 313);
});

test('assembler errors in a .data file point at the file line', () => {
  const data = parseDataFile('# header\n-- asm\nmov %r0, 1\n  bogus %r0\nexit\n', { file: 'bad.data' });
  assert.throws(() => assembleMnemonic(data.asm, { file: 'bad.data', firstLine: data.asmLine }),
    { code: 'EBEE_ASM_UNKNOWN_MNEMONIC', message: /^bad\.data:4:3: / });
});
