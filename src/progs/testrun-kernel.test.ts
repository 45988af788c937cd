/**
 * The test-run harnesses of the newly modelled types against Linux's
 * BPF_PROG_TEST_RUN: the same program and input through ebee's `testRun` and through
 * `src/progs/kernel/testrun-probe.c`, comparing the return value, `data_out` and
 * `ctx_out`, or the errno of a refused input. Types Linux does not test-run must say
 * `linuxTestRun: false`, and the kernel must answer them ENOTSUPP. Skips without root,
 * gcc or bpf().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../asm/index.js';
import { AttachType as A, ProgramType as T } from '../elf/index.js';
import { Runtime } from '../runtime/index.js';
import { ProgError, programTypeFor } from './index.js';
import { TESTRUN_SOURCE, buildProbe, kernelRuns, kernelUnavailable, type KernelRun, type RunJob } from './kernel.test.fixture.js';

const ENOTSUPP = 524;

const ipv4 = new Uint8Array([0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
  0x45, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x12, 0x34, 0x56, 0x78]);
const bytes = (n: number, at: Record<number, number> = {}): Uint8Array => {
  const b = new Uint8Array(n);
  for (const [k, v] of Object.entries(at)) b[Number(k)] = v;
  return b;
};

/**
 * Flow dissector: records the IP protocol at nhoff + 9, moves thoff to nhoff + 20
 * and nhoff to 1 (the kernel clamps it back to ETH_HLEN), and returns the packet's length.
 */
const FLOW_PARSE = `
  r6 = *(u64 *)(r1 + 144)
  r2 = *(u32 *)(r1 + 76)
  r3 = *(u32 *)(r1 + 80)
  r4 = r2
  r4 += 24
  if r4 > r3 goto out
  r5 = *(u8 *)(r2 + 23)
  *(u8 *)(r6 + 9) = r5
  r5 = *(u16 *)(r6 + 0)
  r5 += 20
  *(u16 *)(r6 + 2) = r5
  r5 = 1
  *(u16 *)(r6 + 0) = r5
  r5 = 0x3412
  *(u16 *)(r6 + 12) = r5
out:
  r0 = r3
  r0 -= r2
  exit`;
/** bpf_skb_load_bytes from the frame start (offset 26: the IPv4 source) into the stack; returns what it read, or its error. */
const FLOW_LOAD = (offset: number): string => `
  r2 = ${offset}
  r3 = r10
  r3 += -8
  r4 = 4
  call 26
  if r0 != 0 goto out
  r0 = *(u32 *)(r10 - 8)
out:
  exit`;
/** Sets thoff past the end (clamped to the length) and returns 2 (BPF_DROP). */
const FLOW_FAR = 'r6 = *(u64 *)(r1 + 144)\nr5 = 999\n*(u16 *)(r6 + 2) = r5\nr0 = 2\nexit';

/** lwt: returns len * 65536 + (data_end - data) and sets mark, priority and cb[1]. */
const LWT_FIELDS = `
  r2 = *(u32 *)(r1 + 76)
  r3 = *(u32 *)(r1 + 80)
  r0 = *(u32 *)(r1 + 0)
  r0 <<= 16
  r3 -= r2
  r0 += r3
  r4 = 7
  *(u32 *)(r1 + 8) = r4
  *(u32 *)(r1 + 32) = r4
  *(u8 *)(r1 + 53) = r4
  exit`;
/** lwt_xmit: rewrites the first packet byte (the IPv4 version/IHL) and returns BPF_OK. */
const LWT_REWRITE = `
  r2 = *(u32 *)(r1 + 76)
  r3 = *(u32 *)(r1 + 80)
  r4 = r2
  r4 += 1
  if r4 > r3 goto out
  r5 = 0x46
  *(u8 *)(r2 + 0) = r5
out:
  r0 = 0
  exit`;

interface Case extends RunJob {
  readonly label: string;
  readonly text: string;
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (label: string, type: number, attach: number, text: string, data?: Uint8Array, ctx?: Uint8Array): void => {
    out.push({ label, type, attach, text, insns: assemble(text).insns, ...(data ? { data } : {}), ...(ctx ? { ctx } : {}) });
  };
  const F = [T.FLOW_DISSECTOR, A.FLOW_DISSECTOR] as const;
  add('flow_dissector parses IPv4', ...F, FLOW_PARSE, ipv4);
  add('flow_dissector with flags in ctx_in', ...F, FLOW_PARSE, ipv4, bytes(56, { 48: 1 }));
  add('flow_dissector ctx_in setting nhoff', ...F, FLOW_PARSE, ipv4, bytes(56, { 0: 1 }));
  add('flow_dissector on 13 bytes', ...F, FLOW_PARSE, ipv4.subarray(0, 13));
  add('flow_dissector on a bare Ethernet header', ...F, FLOW_PARSE, ipv4.subarray(0, 14));
  add('flow_dissector thoff past the end', ...F, FLOW_FAR, ipv4);
  add('flow_dissector loads bytes', ...F, FLOW_LOAD(26), ipv4);
  add('flow_dissector loads past the end', ...F, FLOW_LOAD(36), ipv4);
  add('flow_dissector on a page', ...F, FLOW_PARSE, bytes(4096, { 12: 8 }));
  add('flow_dissector on a page and a byte', ...F, FLOW_PARSE, bytes(4097));
  for (const type of [T.LWT_IN, T.LWT_OUT, T.LWT_XMIT]) {
    add(`lwt ${type} fields`, type, 0, LWT_FIELDS, ipv4);
    add(`lwt ${type} fields with ctx_in`, type, 0, LWT_FIELDS, ipv4, bytes(192, { 8: 5, 32: 1, 48: 3 }));
    add(`lwt ${type} ctx_in setting len`, type, 0, LWT_FIELDS, ipv4, bytes(192, { 0: 1 }));
    add(`lwt ${type} on 10 bytes`, type, 0, LWT_FIELDS, ipv4.subarray(0, 10));
  }
  add('lwt_xmit rewrites the packet', T.LWT_XMIT, 0, LWT_REWRITE, ipv4);
  return out;
}

/** ebee's answer in the kernel probe's shape. */
function ebeeRun(c: Case): KernelRun {
  const rt = new Runtime();
  const prog = rt.loadProgram(c.text, { type: c.type, expectedAttachType: c.attach });
  try {
    const r = prog.testRun({ ...(c.data ? { data: c.data } : {}), ...(c.ctx ? { ctx: c.ctx } : {}) });
    return { kind: 'ok', retval: r.retval, data: r.data ?? new Uint8Array(0), ctx: c.ctx ? r.ctx ?? new Uint8Array(0) : new Uint8Array(0) };
  } catch (err) {
    if (err instanceof ProgError) return { kind: 'run', errno: err.errno };
    throw err;
  }
}

const show = (r: KernelRun): string => (r.kind === 'ok'
  ? `retval ${r.retval} data ${Buffer.from(r.data).toString('hex')} ctx ${Buffer.from(r.ctx).toString('hex')}` : `${r.kind} errno ${r.errno}`);

test('test runs of flow_dissector and lwt_in/out/xmit as Linux runs them; the other new types refused as Linux refuses them',
  { skip: kernelUnavailable(), timeout: 120_000 }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ebee-testrun-'));
    try {
      const built = buildProbe(TESTRUN_SOURCE, dir, 'testrun');
      if ('unavailable' in built) {
        t.skip(built.unavailable);
        return;
      }
      const all = cases();
      const kernel = kernelRuns(built.exe, all);
      const differ: string[] = [];
      all.forEach((c, i) => {
        const mine = show(ebeeRun(c));
        const theirs = show(kernel[i]!);
        if (mine !== theirs) differ.push(`${c.label}:\n    kernel ${theirs}\n    ebee   ${mine}`);
      });
      console.log(`test runs: ${all.length - differ.length}/${all.length} as the kernel runs them`);
      for (const d of differ) console.log(`  differs: ${d}`);
      assert.deepEqual(differ, []);

      const noRun = [[T.SK_SKB, A.SK_SKB_STREAM_VERDICT], [T.SK_MSG, A.SK_MSG_VERDICT], [T.CGROUP_DEVICE, A.CGROUP_DEVICE],
        [T.CGROUP_SYSCTL, A.CGROUP_SYSCTL], [T.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT], [T.LWT_SEG6LOCAL, 0]] as const;
      const refused = kernelRuns(built.exe, noRun.map(([type, attach]) => ({ type, attach, insns: assemble('r0 = 1\nexit').insns, data: ipv4 })));
      noRun.forEach(([type, attach], i) => {
        assert.deepEqual(refused[i], { kind: 'run', errno: ENOTSUPP }, `the kernel does not test-run type ${type}`);
        assert.equal(programTypeFor(type, attach).linuxTestRun, false, `type ${type} says Linux cannot test-run it`);
      });
      for (const type of [T.FLOW_DISSECTOR, T.LWT_IN, T.LWT_OUT, T.LWT_XMIT]) assert.equal(programTypeFor(type, 0).linuxTestRun, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
