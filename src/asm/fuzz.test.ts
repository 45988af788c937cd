/**
 * Bad assembly never crashes: character-level mutations of real programs in both
 * dialects either assemble or raise an ebee error (with a location), never a
 * TypeError or RangeError, and never hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EbeeError } from '../errors.js';
import { assemble, type Dialect } from './index.js';

const example = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)), 'utf8');

const ALPHABET = ' \t\n#;,:+-*/()[]%rwx0123456789abcdefABCDEFlu=<>&|^!sgotifcalexnmvpqk_.';

function mutate(text: string, next: () => number): string {
  const chars = [...text];
  const edits = 1 + (next() % 4);
  for (let e = 0; e < edits; e++) {
    const at = next() % (chars.length + 1);
    const kind = next() % 3;
    const c = ALPHABET[next() % ALPHABET.length]!;
    if (kind === 0) chars.splice(at, 1);
    else if (kind === 1) chars.splice(at, 0, c);
    else chars[at] = c;
  }
  return chars.join('');
}

for (const [name, dialect] of [['sum.s', 'pseudo-c'], ['ipv4-checksum.s', 'pseudo-c'], ['fib.asm', 'mnemonic']] as const) {
  test(`4,000 mutations of ${name} (${dialect}) assemble or fail with an ebee error`, () => {
    let seed = 0x2545f491;
    const next = (): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return seed >>> 0;
    };
    const source = example(name);
    let ok = 0;
    let rejected = 0;
    for (let i = 0; i < 4000; i++) {
      const text = mutate(source, next);
      try {
        assemble(text, { dialect: dialect as Dialect });
        ok++;
      } catch (err) {
        if (!(err instanceof EbeeError)) assert.fail(`mutation ${i} threw ${String(err)}:\n${text}`);
        assert.ok(err.location, `mutation ${i}: ${err.code} has no source location`);
        rejected++;
      }
    }
    assert.equal(ok + rejected, 4000);
    assert.ok(rejected > 0 && ok > 0, `both outcomes occur (${ok} assembled, ${rejected} rejected)`);
  });
}
