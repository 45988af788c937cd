/**
 * Robustness over real objects: every ELF file of ../shared/corpora/ebpf-samples parses
 * to an ObjectSpec or fails with a typed ElfError, and every program expected.tsv lists
 * as pass or pass(xfail) is found by section and function name, and links.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Instruction } from '../isa/index.js';
import { ElfError, parseObject, type ObjectSpec, type ProgramSpec } from './index.js';
import { SAMPLES } from './fixtures.test.fixture.js';

const present = existsSync(join(SAMPLES, 'expected.tsv'));

function objects(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) objects(p, out);
    else if (f !== 'expected.tsv') out.push(p); // some objects have no .o suffix (fuzzer findings)
  }
  return out;
}

/** Invariants of every linked program: links land on function starts, map indices exist. */
function checkProgram(rel: string, spec: ObjectSpec, p: ProgramSpec): void {
  const starts = new Map(p.functions.map((f) => [f.name, f.pc]));
  const at = new Map<number, Instruction>();
  let pc = 0;
  for (const i of p.insns) { at.set(pc, i); pc += i.opcode === 0x18 ? 2 : 1; }
  for (const r of p.references) {
    const ins = at.get(r.pc);
    assert.ok(ins, `${rel} ${p.name}: reference at ${r.pc}`);
    if (r.kind === 'call' || r.kind === 'func_addr') {
      assert.equal(r.pc + 1 + ins.imm, starts.get(r.function), `${rel} ${p.name}: ${r.kind} at ${r.pc}`);
    } else if (r.kind === 'map' || r.kind === 'map_value') {
      assert.ok(r.mapIndex < spec.maps.length && spec.maps[r.mapIndex]!.name === r.map, `${rel} ${p.name}: map ${r.map}`);
      assert.equal(Number(ins.imm64! & 0xffffffffn), r.mapIndex);
      assert.equal(ins.src, r.kind === 'map' ? 5 : 6);
    }
  }
}

describe('ebpf-samples corpus', { skip: present ? false : `corpus not found at ${SAMPLES}` }, () => {
  const parsed = new Map<string, ObjectSpec | ElfError>();
  it('parses every object or rejects it with an ElfError', () => {
    const files = objects(SAMPLES);
    assert.ok(files.length >= 160, `only ${files.length} objects`);
    let programs = 0;
    for (const f of files) {
      const rel = f.slice(SAMPLES.length);
      try {
        const spec = parseObject(new Uint8Array(readFileSync(f)));
        programs += spec.programs.length;
        parsed.set(rel, spec);
      } catch (err) {
        assert.ok(err instanceof ElfError, `${rel}: ${(err as Error)?.stack ?? String(err)}`);
        parsed.set(rel, err);
      }
    }
    for (const [rel, v] of parsed) if (!(v instanceof ElfError)) for (const p of v.programs) checkProgram(rel, v, p);
    const errors = [...parsed.values()].filter((v) => v instanceof ElfError) as ElfError[];
    console.log(`ebpf-samples: ${files.length} objects, ${files.length - errors.length} parsed, ${programs} programs, `
      + `${errors.length} typed errors (${errors.map((e) => e.code).join(', ')})`);
    // The two malformed objects of invalid/ are the only ones that may fail.
    for (const [rel, v] of parsed) if (v instanceof ElfError) assert.match(rel, /^invalid\//, `${rel}: ${v.message}`);
  });

  it('finds every program expected.tsv says the kernel loads', () => {
    const rows = readFileSync(join(SAMPLES, 'expected.tsv'), 'utf8').split('\n').slice(1).filter((l) => l.trim() !== '');
    let wanted = 0, found = 0;
    const missing: string[] = [];
    let counted = 0;
    for (const row of rows) {
      const [project, file, section, expected, , fn, , , , sectionCount] = row.split('\t');
      // Every row, whatever its verdict, says how many functions its section holds.
      const any = parsed.get(`${project}/${file}`);
      if (any && !(any instanceof ElfError) && sectionCount !== undefined && sectionCount !== '') {
        assert.equal(any.functions.filter((f) => f.section === section).length, Number(sectionCount), `${project}/${file} section ${section}`);
        counted++;
      }
      if (expected !== 'pass' && expected !== 'pass(xfail)') continue;
      wanted++;
      const spec = parsed.get(`${project}/${file}`);
      if (!spec || spec instanceof ElfError) {
        missing.push(`${project}/${file}: ${spec ? spec.message : 'object absent'}`);
        continue;
      }
      // expected.tsv names a section's only program by the section when its symbol is not a function.
      const inSection = spec.functions.filter((f) => f.section === section);
      const hit = inSection.find((f) => f.name === fn) ?? (fn === section && inSection.length === 1 ? inSection[0] : undefined);
      if (!hit) {
        missing.push(`${project}/${file}: no function ${fn} in section ${section}`);
        continue;
      }
      // Entry programs are linked already; .text functions link on request.
      const prog = section === '.text' ? spec.linkFunction(hit.name, section) : spec.programsInSection(section!).find((p) => p.name === hit.name);
      assert.ok(prog && prog.insns.length > 0, `${project}/${file} ${section}/${fn} did not link`);
      found++;
    }
    console.log(`ebpf-samples: ${found} of ${wanted} pass / pass(xfail) programs found and linked; `
      + `function counts agree with expected.tsv on ${counted} rows`);
    assert.deepEqual(missing, []);
    assert.ok(wanted > 300);
  });
});
