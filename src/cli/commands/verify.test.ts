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

test('ebee verify --type: assembly checked against the program type\'s context and return range', () => {
  const count = write('xdp-count.s', `
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 14
    if r3 > r2 goto pass
    r4 = *(u8 *)(r1 + 13)
    *(u32 *)(r10 - 4) = r4
${LOOKUP.replace('r1 = 0\n  *(u32 *)(r10 - 4) = r1\n', '')}
    if r0 == 0 goto pass
    r1 = 1
    lock *(u64 *)(r0 + 0) += r1
  pass:
    r0 = 2
    exit
`);
  const xdp = cli('verify', count, '--type', 'xdp', '--map', 'counts:array:4:8:256');
  assert.equal(xdp.status, 0, xdp.out + xdp.err);
  // The same packet read without the bounds check is refused as XDP; xdp_md has no field at 24.
  const unchecked = write('xdp-nocheck.s', 'r1 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r1 + 13)\nr0 = 2\nexit\n');
  const noBounds = cli('verify', unchecked, '--type', 'xdp');
  assert.equal(noBounds.status, 1);
  assert.match(noBounds.out, /rejected at insn 1 .*invalid access to packet/);
  assert.equal(cli('verify', write('ctx.s', 'r0 = *(u32 *)(r1 + 24)\nr0 = 2\nexit\n'), '--type', 'xdp').status, 1);
  // cgroup_skb must return 0 or 1 (check_return_code); a tc program may return 7.
  const seven = write('seven.s', 'r0 = 7\nexit\n');
  const cgroupSeven = cli('verify', seven, '--type', 'cgroup_skb');
  assert.equal(cgroupSeven.status, 1);
  assert.match(cgroupSeven.out, /R0 has value 7|return/i);
  assert.equal(cli('verify', seven, '--type', 'tc').status, 0);
  // Each type's context: __sk_buff's mark for tc and socket filters, pt_regs for kprobes.
  const mark = write('mark.s', 'r0 = *(u32 *)(r1 + 8)\nr0 = 0\nexit\n');
  assert.equal(cli('verify', mark, '--type', 'sched_cls').status, 0);
  assert.equal(cli('verify', mark, '--type', 'socket').status, 0);
  assert.equal(cli('verify', write('regs.s', 'r0 = *(u64 *)(r1 + 112)\nr0 = 0\nexit\n'), '--type', 'kprobe').status, 0);
  assert.equal(cli('verify', write('regstore.s', 'r2 = 0\n*(u64 *)(r1 + 112) = r2\nr0 = 0\nexit\n'), '--type', 'kprobe').status, 1);
  // 'test' keeps PREVAIL's context: data at 0, data_end at 4.
  assert.equal(cli('verify', mark, '--type', 'test').status, 0);
});

test('ebee run --type verifies first: rejected programs do not run, --no-verify runs them checked', () => {
  const safe = write('run-safe.s', 'r0 = 2\nexit\n');
  const ran = cli('run', safe, '--type', 'xdp', '--data', '00'.repeat(14));
  assert.equal(ran.status, 0, ran.out + ran.err);
  assert.match(ran.out, /\nverified \(runs unchecked\)$/);
  assert.match(ran.out, /retval = 2 \(XDP_PASS\)/);
  const j = JSON.parse(cli('run', safe, '--type', 'xdp', '--data', '00'.repeat(14), '--json').out) as { verified: boolean; checked: boolean };
  assert.deepEqual([j.verified, j.checked], [true, false]);
  const unsafe = write('run-unsafe.s', 'r1 = 0\nr0 = *(u8 *)(r1 + 0)\nr0 = 2\nexit\n');
  const refused = cli('run', unsafe, '--type', 'xdp', '--data', '00'.repeat(14));
  assert.equal(refused.status, 1);
  assert.match(refused.err, /EBEE_RUNTIME_VERIFIER_REJECTED/);
  const checked = cli('run', unsafe, '--type', 'xdp', '--data', '00'.repeat(14), '--no-verify');
  assert.equal(checked.status, 1, 'the checked run stops at the read through NULL');
  assert.match(checked.err, /EBEE_VM_/);
  const plain = cli('run', safe, '--type', 'xdp', '--data', '00'.repeat(14), '--no-verify');
  assert.equal(plain.status, 0);
  assert.match(plain.out, /not verified \(--no-verify\): runs checked/);
});

test('ebee verify --sleepable: a helper that might sleep needs it; objects say it by section', () => {
  const prog = write('sleeps.s', 'r1 = r10\nr1 += -8\nr2 = 8\nr3 = 4096\ncall 148\nr0 = 0\nexit\n');
  const plain = cli('verify', prog, '--type', 'kprobe', '--log-level', '0');
  assert.equal(plain.status, 1);
  assert.match(plain.out, /helper call might sleep in a non-sleepable prog/);
  assert.equal(cli('verify', prog, '--type', 'kprobe', '--sleepable', '--log-level', '0').status, 0);
  const object = new URL('../../../src/elf/fixtures/sleepable.o', import.meta.url).pathname;
  const both = cli('verify', object, '--log-level', '0');
  assert.equal(both.status, 1);
  assert.match(both.out, /uprobe\.s\/sleepable_reader: safe/);
  assert.match(both.out, /kprobe\/plain_reader: rejected at insn \d+ \[call\]: helper call might sleep/);
  assert.equal(cli('verify', object, '--sleepable').status, 2, 'objects carry it per section');
});
