/**
 * The context models of sk_skb, sk_msg, the lwt types, cgroup_device, cgroup_sysctl,
 * cgroup_sockopt and flow_dissector against the running kernel's verifier, two ways:
 *
 * - the access matrix: for every byte offset of the context (and a little past its
 *   end), every size and both directions, `r0 = *(uN *)(r1 + off)` and
 *   `*(uN *)(r1 + off) = r2`, so every field's readability, writability, narrow
 *   loads, alignment and bounds are compared with the kernel's;
 * - the cases of context-cases.test.fixture.ts: what programs do with what they load
 *   (packet bounds and writes, sockets with and without NULL checks, flow keys,
 *   return values), each with the verdict Linux 6.18 gives (asserted here without
 *   the kernel too, so the test fails if ebee drifts even where bpf() is missing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../asm/index.js';
import { verifyProgram } from '../runtime/index.js';
import { programTypeFor } from './index.js';
import { CONTEXT_CASES, NEW_TYPES } from './context-cases.test.fixture.js';
import { ORACLE_SOURCE, buildProbe, kernelUnavailable, kernelVerdicts, type LoadJob } from './kernel.test.fixture.js';

const SIZES = [[1, 'u8'], [2, 'u16'], [4, 'u32'], [8, 'u64']] as const;

interface MatrixJob extends LoadJob {
  readonly label: string;
  readonly ebeeOk: boolean;
}

function ebeeAccepts(type: number, attach: number, text: string): { ok: boolean; message: string } {
  const info = programTypeFor(type, attach);
  const r = verifyProgram(assemble(text).insns, { type: info, logLevel: 0 });
  return { ok: r.ok, message: r.error?.message ?? '' };
}

function matrix(): MatrixJob[] {
  const jobs: MatrixJob[] = [];
  for (const t of NEW_TYPES) {
    const size = programTypeFor(t.type, t.attach).context.size;
    for (let off = 0; off < size + 8; off++) {
      for (const [n, c] of SIZES) {
        for (const write of [false, true]) {
          const text = write ? `r2 = 0\n*(${c} *)(r1 + ${off}) = r2\nr0 = 0\nexit` : `r0 = *(${c} *)(r1 + ${off})\nr0 = 0\nexit`;
          const label = `${t.label} ${write ? 'write' : 'read'} off=${off} size=${n}`;
          jobs.push({ label, type: t.type, attach: t.attach, insns: assemble(text).insns, ebeeOk: ebeeAccepts(t.type, t.attach, text).ok });
        }
      }
    }
  }
  return jobs;
}

test('context cases: ebee gives the verdicts Linux 6.18 gives', () => {
  const wrong: string[] = [];
  for (const c of CONTEXT_CASES) {
    const v = ebeeAccepts(c.type, c.attach, c.text);
    if (v.ok !== c.ok) wrong.push(`${c.label}: expected ${c.ok ? 'accept' : 'reject'}, ebee ${v.ok ? 'accepts' : `rejects: ${v.message}`}`);
    else if (!c.ok && c.ebeeSays && !v.message.includes(c.ebeeSays)) wrong.push(`${c.label}: ebee rejects for another reason: ${v.message}`);
  }
  assert.deepEqual(wrong, []);
  assert.ok(CONTEXT_CASES.length > 40);
});

test('context models against the running kernel: every access, and the cases', { skip: kernelUnavailable(), timeout: 300_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-ctx-kernel-'));
  try {
    const built = buildProbe(ORACLE_SOURCE, dir, 'oracle');
    if ('unavailable' in built) {
      t.skip(built.unavailable);
      return;
    }
    const jobs = matrix();
    const kernel = kernelVerdicts(built.exe, jobs);
    const perType = new Map<string, { agree: number; total: number; accepted: number }>();
    const differ: string[] = [];
    jobs.forEach((j, i) => {
      const key = j.label.split(' ')[0]!;
      const tally = perType.get(key) ?? { agree: 0, total: 0, accepted: 0 };
      tally.total++;
      if (kernel[i]!.ok) tally.accepted++;
      if (kernel[i]!.ok === j.ebeeOk) tally.agree++;
      else differ.push(`${j.label}: kernel ${kernel[i]!.ok ? 'accepts' : 'rejects'}, ebee ${j.ebeeOk ? 'accepts' : 'rejects'}`);
      perType.set(key, tally);
    });
    for (const [key, v] of perType) console.log(`access matrix ${key}: ${v.agree}/${v.total} agree (kernel accepts ${v.accepted})`);
    for (const d of differ.slice(0, 40)) console.log(`  differs: ${d}`);

    const caseJobs = CONTEXT_CASES.map((c) => ({ type: c.type, attach: c.attach, insns: assemble(c.text).insns }));
    const caseVerdicts = kernelVerdicts(built.exe, caseJobs, true);
    const caseDiffer: string[] = [];
    CONTEXT_CASES.forEach((c, i) => {
      const k = caseVerdicts[i]!;
      if (k.ok !== c.ok) caseDiffer.push(`${c.label}: the kernel ${k.ok ? 'accepts' : `rejects (${k.message})`}, the case says ${c.ok ? 'accept' : 'reject'}`);
    });
    console.log(`context cases: ${CONTEXT_CASES.length - caseDiffer.length}/${CONTEXT_CASES.length} as the kernel decides`);
    for (const d of caseDiffer) console.log(`  differs: ${d}`);

    assert.deepEqual(differ, [], 'every context access as the kernel decides it');
    assert.deepEqual(caseDiffer, [], 'every case as the kernel decides it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
