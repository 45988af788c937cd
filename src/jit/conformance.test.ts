import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleMnemonic } from '../asm/mnemonic/index.js';
import { parseDataFile } from '../conformance/data.js';
import { conformanceHelpers } from '../conformance/run.js';
import { EbeeError } from '../errors.js';
import { Vm, prepare, type PreparedProgram } from '../vm/index.js';
import { compile, JitVm } from './index.js';

// Tests run from dist/jit/; the corpus lives beside the project in ../shared.
const CORPUS = fileURLToPath(new URL('../../../shared/corpora/bpf_conformance', import.meta.url));
const corpusMissing = existsSync(CORPUS) ? false : `corpus not found at ${CORPUS}`;

type Outcome = { r0: bigint; executed: number | undefined } | { error: string };

/** Runs as the suite's plugins do: r1 = a copy of `-- mem` (or 0), r2 = its length, helper 5 the identity. */
function runWith(engine: 'interpreter' | 'checked' | 'unchecked', program: PreparedProgram, mem: Uint8Array | undefined): Outcome {
  const helpers = conformanceHelpers();
  const vm = engine === 'interpreter' ? new Vm({ helpers }) : new JitVm({ helpers });
  const region = mem && mem.length > 0 ? vm.space.allocBytes(mem, { name: 'mem' }) : undefined;
  const args = region ? [region.start, mem!.length] : [0, 0];
  try {
    if (vm instanceof Vm) return vm.run(program, { args });
    return vm.run(program, { args, checked: engine === 'checked' });
  } catch (err) {
    if (err instanceof EbeeError) return { error: err.code };
    throw err;
  }
}

test('bpf_conformance: every test passes through the JIT, with the interpreter\'s results and counts', { skip: corpusMissing }, () => {
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.data')).sort();
  const failures: string[] = [];
  let passed = 0;
  for (const f of files) {
    const name = basename(f, '.data');
    const data = parseDataFile(readFileSync(join(CORPUS, f), 'utf8'), name);
    let program: PreparedProgram;
    try {
      program = prepare(assembleMnemonic(data.asm, { file: name, firstLine: data.asmLine }).insns);
    } catch (err) {
      // Rejected before running: as in the interpreter's runner, that is the expected error.
      if (data.error !== undefined) { passed++; continue; }
      failures.push(`${name}: ${(err as Error).message}`);
      continue;
    }
    const compiled = compile(program);
    if (!WebAssembly.validate(compiled.bytes)) { failures.push(`${name}: module does not validate`); continue; }
    const jit = runWith('checked', program, data.mem);
    const ref = runWith('interpreter', program, data.mem);
    if (data.error !== undefined) {
      if ('error' in jit) passed++;
      else failures.push(`${name}: expected an error, got r0 = 0x${jit.r0.toString(16)}`);
    } else if ('error' in jit) {
      failures.push(`${name}: ${jit.error}`);
    } else if (jit.r0 !== data.result) {
      failures.push(`${name}: r0 = 0x${jit.r0.toString(16)}, expected 0x${data.result?.toString(16)}`);
    } else {
      passed++;
    }
    assert.deepEqual(jit, ref, `${name}: the JIT and the interpreter differ`);
    if (!('error' in ref)) {
      const unchecked = runWith('unchecked', program, data.mem);
      assert.deepEqual(unchecked, { r0: ref.r0, executed: undefined }, `${name}: unchecked mode differs`);
    }
  }
  console.log(`bpf_conformance (jit): ${passed} passed, ${failures.length} failed`);
  assert.deepEqual(failures, []);
  assert.equal(passed, 313);
});
