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
 *
 * The ebpf-samples corpus holds one program of these types: samples/bpf's
 * lwt_len_hist (section `len_hist`, which names no type: its script loads it as an
 * lwt `out` route). It is compared here as each lwt type; the corpus tests type it as
 * they type every such section (sched_cls).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProgramType as T, createSpecOf, parseObject } from '../elf/index.js';
import { verifyObject } from '../cli/verify-object.js';
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

const LWT_LEN_HIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/corpora/ebpf-samples/linux/lwt_len_hist_kern.o');

test('the corpus\'s lwt program (lwt_len_hist) as each lwt type, against the kernel',
  { skip: kernelUnavailable() || (!existsSync(LWT_LEN_HIST) && `${LWT_LEN_HIST} is absent`), timeout: 60_000 }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ebee-lwt-hist-'));
    try {
      const built = buildProbe(ORACLE_SOURCE, dir, 'oracle');
      if ('unavailable' in built) {
        t.skip(built.unavailable);
        return;
      }
      const bytes = readFileSync(LWT_LEN_HIST);
      const spec = parseObject(bytes);
      const maps = spec.maps.map((m) => {
        const s = createSpecOf(m);
        return `map ${s.type} ${s.keySize} ${s.valueSize} ${s.maxEntries} ${s.flags >>> 0}`;
      });
      const types = [['lwt_in', T.LWT_IN], ['lwt_out', T.LWT_OUT], ['lwt_xmit', T.LWT_XMIT], ['lwt_seg6local', T.LWT_SEG6LOCAL]] as const;
      const program = spec.programs.find((p) => p.section === 'len_hist')!;
      const kernel = kernelVerdicts(built.exe, types.map(([, type]) => ({ type, attach: 0, insns: program.insns, maps })), true);
      types.forEach(([name], i) => {
        const [ebee] = verifyObject(bytes, { section: 'len_hist', fallbackType: name, logLevel: 0 });
        console.log(`lwt_len_hist as ${name}: kernel ${kernel[i]!.ok ? 'accepts' : `rejects (${kernel[i]!.message})`}, ebee ${ebee!.result.ok ? 'accepts' : 'rejects'}`);
        assert.equal(ebee!.result.ok, kernel[i]!.ok, name);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
