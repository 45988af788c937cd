/**
 * Runs bpf_conformance `.data` tests: assemble the `-- asm` section (mnemonic
 * dialect), run it with r1 = a copy of `-- mem` (or 0), r2 = its length, helper 5 as
 * the identity function, and compare r0 with `-- result`. A file with `-- error`
 * passes when assembling or running fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { assembleMnemonic } from '../asm/mnemonic/index.js';
import { HelperRegistry, Vm } from '../vm/index.js';
import { JitVm } from '../jit/index.js';
import type { Instruction } from '../isa/index.js';
import { parseDataFile, type DataFile } from './data.js';

/** Which execution engine runs the tests. */
export type Engine = 'interpreter' | 'jit';

export interface CaseResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly expected?: bigint;
  readonly actual?: bigint;
  /** Why it failed or was skipped. */
  readonly message?: string;
}

export interface SuiteResult {
  readonly cases: CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** The helpers the suite assumes: only helper 5, which returns its first argument. */
export function conformanceHelpers(): HelperRegistry {
  return new HelperRegistry().register(5, 'identity', (_ctx, r1) => r1);
}

/**
 * Runs a program as the suite's plugins do. Returns r0.
 * Exported for the plugin command, which receives bytecode rather than text.
 */
export function runConformanceProgram(
  program: readonly Instruction[] | Uint8Array, mem: Uint8Array | undefined, engine: Engine = 'interpreter',
): bigint {
  const vm = engine === 'jit' ? new JitVm({ helpers: conformanceHelpers() }) : new Vm({ helpers: conformanceHelpers() });
  const region = mem && mem.length > 0 ? vm.space.allocBytes(mem, { name: 'mem' }) : undefined;
  const args = region ? [region.start, mem!.length] : [0, 0];
  return vm.run(program, { args }).r0;
}

/** Runs one parsed test file. */
export function runCase(file: DataFile, engine: Engine = 'interpreter'): CaseResult {
  const name = file.name;
  if (file.result === undefined && file.error === undefined) {
    return { name, status: 'skip', message: 'no -- result or -- error section' };
  }
  let r0: bigint;
  try {
    const { insns } = assembleMnemonic(file.asm, { file: name, firstLine: file.asmLine });
    r0 = runConformanceProgram(insns, file.mem, engine);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (file.error !== undefined) return { name, status: 'pass', message };
    return { name, status: 'fail', message, ...(file.result !== undefined ? { expected: file.result } : {}) };
  }
  if (file.result === undefined) {
    return { name, status: 'fail', actual: r0, message: `expected an error (${file.error}), got r0 = 0x${r0.toString(16)}` };
  }
  const status = r0 === file.result ? 'pass' : 'fail';
  return {
    name, status, expected: file.result, actual: r0,
    ...(status === 'fail' ? { message: `r0 = 0x${r0.toString(16)}, expected 0x${file.result.toString(16)}` } : {}),
  };
}

/** Runs every `.data` file of a directory, in name order. */
export function runConformanceDir(dir: string, engine: Engine = 'interpreter'): SuiteResult {
  const files = readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
  const cases = files.map((f) => {
    const path = join(dir, f);
    try {
      return runCase(parseDataFile(readFileSync(path, 'utf8'), basename(f, '.data')), engine);
    } catch (err) {
      return { name: basename(f, '.data'), status: 'fail' as const, message: err instanceof Error ? err.message : String(err) };
    }
  });
  const count = (s: CaseResult['status']): number => cases.filter((c) => c.status === s).length;
  return { cases, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}
