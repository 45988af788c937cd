import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';

function cli(...argv: string[]): { status: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const status = main(argv, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

const tmp = mkdtempSync(join(tmpdir(), 'ebee-verify-'));
const write = (name: string, text: string | Uint8Array): string => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

const LOOKUP = `
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r2 = r10
  r2 += -4
  r1 = counts ll
  call 1
`;

test('ebee verify: exit 0 for a safe program, 1 with the reason and a hint for a rejected one', () => {
  const safe = write('safe.s', `${LOOKUP}\nif r0 == 0 goto out\nr0 = *(u64 *)(r0 + 0)\nout:\nr0 = 0\nexit\n`);
  const ok = cli('verify', safe, '--map', 'counts:array:4:8:4');
  assert.equal(ok.status, 0, ok.out + ok.err);
  assert.match(ok.out, /safe \(\d+ instructions processed\)/);
  assert.match(ok.out, /^processed \d+ insns \(limit 1000000\)/m);

  const bad = write('bad.s', `${LOOKUP}\nr0 = *(u64 *)(r0 + 0)\nr0 = 0\nexit\n`);
  const no = cli('verify', bad, '--map', 'counts:array:4:8:4');
  assert.equal(no.status, 1);
  assert.match(no.out, /rejected at insn 7 \[mem\]: R0 invalid mem access 'map_value_or_null'/);
  assert.match(no.out, /hint: /);
});

test('ebee verify --json and --log-level 2', () => {
  const prog = write('zero.s', 'r0 = 0\nexit\n');
  const r = cli('verify', prog, '--json', '--log-level', '2');
  assert.equal(r.status, 0);
  const j = JSON.parse(r.out) as { ok: boolean; stats: { processedInsns: number }; log: string };
  assert.equal(j.ok, true);
  assert.equal(j.stats.processedInsns, 2);
  assert.match(j.log, /0: \(b7\) r0 = 0 +; R0_w=0/);
});

test('ebee verify: usage errors for missing or malformed maps and unknown types; ELF not yet', () => {
  const bad = write('m.s', `${LOOKUP}\nr0 = 0\nexit\n`);
  assert.equal(cli('verify', bad).status, 2);
  assert.equal(cli('verify', bad, '--map', 'counts:array:4').status, 2);
  assert.equal(cli('verify', bad, '--map', 'counts:nosuch:4:8:4').status, 2);
  assert.equal(cli('verify', bad, '--map', 'counts:2:4:8:4', '--type', 'nosuch').status, 2);
  const elf = write('x.o', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
  const r = cli('verify', elf);
  assert.equal(r.status, 1);
  assert.match(r.err, /ELF/);
});
