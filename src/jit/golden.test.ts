/**
 * Golden snapshots of the JIT's output: a handful of representative programs
 * (`src/jit/golden/<name>.s`, pseudo-C) compiled in checked and/or unchecked mode, their
 * modules printed as wasm text (`printWat`) and compared exactly with
 * `src/jit/golden/<name>.<mode>.wat`. A change in code generation shows up here, and in
 * review as a diff of those files: read the new text, and keep it if it is better.
 *
 * To accept the current output (after a deliberate codegen change, or to add a
 * program), rebuild and run with EBEE_UPDATE_GOLDEN=1, which rewrites the .wat files
 * instead of comparing:
 *
 *   npx tsc -p . && EBEE_UPDATE_GOLDEN=1 node --test dist/jit/golden.test.js
 *
 * Each program also runs through both engines (`same`), so a snapshot is always of
 * code that computes the right answer, and must validate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { assemble } from '../asm/index.js';
import { HelperRegistry } from '../vm/index.js';
import { printWat } from './wasm/index.js';
import { compile } from './index.js';
import { same, type Setup } from './differential.test.fixture.js';

const GOLDEN = new URL('../../src/jit/golden/', import.meta.url);
const UPDATE = process.env.EBEE_UPDATE_GOLDEN === '1';

type Mode = 'checked' | 'unchecked';

interface Golden {
  readonly name: string;
  readonly modes: readonly Mode[];
  /** r1-r5 and memory for the run that checks the program computes `r0`. */
  readonly setup: Setup;
  readonly r0: bigint;
  /** The program needs a dispatcher (an irreducible region), or must not. */
  readonly dispatcher: boolean;
}

/** An IPv4 header whose checksum field is zero; its checksum is 0xb861. */
const IPV4 = Uint8Array.of(0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);

const PROGRAMS: readonly Golden[] = [
  { name: 'popcount', modes: ['unchecked'], setup: { args: () => [0xf0f0n] }, r0: 8n, dispatcher: false },
  {
    name: 'checksum', modes: ['checked', 'unchecked'], dispatcher: false, r0: 0xb861n,
    setup: { regions: [{ name: 'header', bytes: IPV4 }], args: ([h]) => [h!.start, IPV4.length] },
  },
  { name: 'if-else', modes: ['unchecked'], setup: { args: () => [42] }, r0: 3n, dispatcher: false },
  { name: 'call', modes: ['checked'], setup: { args: () => [1000] }, r0: 1120n, dispatcher: false },
  {
    name: 'atomics', modes: ['checked'], dispatcher: false, r0: 7n + 0x0102n,
    setup: {
      regions: [{ name: 'words', bytes: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0) }],
      args: ([w]) => [w!.start],
    },
  },
  { name: 'irreducible', modes: ['checked', 'unchecked'], setup: { args: () => [1] }, r0: 14n, dispatcher: true },
  {
    name: 'helper-calls', modes: ['checked', 'unchecked'], dispatcher: false, r0: 1100n + 300n,
    setup: {
      args: () => [100],
      helpers: { 1: (_ctx, a, b) => (a + b) & 0xffffffffn, 2: (_ctx, a) => a * 3n },
      typedHelpers: { 1: { args: ['u32', 'u32'], ret: 'u32', fn: (_ctx, a: number, b: number) => (a + b) >>> 0 } },
    },
  },
];

/** The first differing line of two texts, with a little context, for a readable failure. */
function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 3);
  const show = (lines: string[], mark: string): string =>
    lines.slice(from, i + 4).map((l, k) => `${from + k === i ? mark : ' '} ${from + k + 1}: ${l}`).join('\n');
  return `first difference at line ${i + 1} (golden ${a.length} lines, now ${b.length}):\n--- golden\n${show(a, '-')}\n+++ now\n${show(b, '+')}`;
}

for (const g of PROGRAMS) {
  test(`golden: ${g.name} (${g.modes.join(', ')})`, () => {
    const source = readFileSync(new URL(`${g.name}.s`, GOLDEN), 'utf8');
    const insns = assemble(source, { file: `${g.name}.s` }).insns;
    const ref = same(insns, g.setup, g.name);
    if (!('r0' in ref)) assert.fail(`${g.name} failed: ${ref.error} ${ref.message ?? ''}`);
    assert.equal(ref.r0, g.r0, `${g.name} computes the wrong value`);
    const changed: string[] = [];
    for (const mode of g.modes) {
      const helpers = new HelperRegistry();
      for (const [id, fn] of Object.entries(g.setup.helpers ?? {})) helpers.register(Number(id), `helper${id}`, fn, g.setup.typedHelpers?.[Number(id)]);
      const compiled = compile(insns, { checked: mode === 'checked', helpers });
      assert.ok(WebAssembly.validate(compiled.bytes), `${g.name} ${mode}: the module does not validate`);
      assert.equal(compiled.dispatcherRegions > 0, g.dispatcher, `${g.name} ${mode}: ${compiled.dispatcherRegions} dispatcher regions`);
      const wat = printWat(compiled.bytes);
      const file = new URL(`${g.name}.${mode}.wat`, GOLDEN);
      if (UPDATE) {
        writeFileSync(file, wat);
        continue;
      }
      assert.ok(existsSync(file), `${file.pathname} is missing: run with EBEE_UPDATE_GOLDEN=1 to create it`);
      const golden = readFileSync(file, 'utf8');
      if (wat !== golden) changed.push(`${g.name}.${mode}.wat: ${lineDiff(golden, wat)}`);
    }
    if (changed.length > 0) assert.fail(`the generated code changed (EBEE_UPDATE_GOLDEN=1 accepts it)\n${changed.join('\n')}`);
  });
}
