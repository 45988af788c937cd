/**
 * Verifying the programs of an ELF object: the loader's maps become map descriptors,
 * the section's program type gives the context layout and return range, BTF line info
 * gives source lines for explanations. Lives in the CLI because it joins three layers
 * (elf, progs, verifier) that do not know each other.
 */
import { parseObject, type ObjectMap, type ProgramSpec } from '../elf/index.js';
import { helperPrototype } from '../helpers/index.js';
import { programType } from '../progs/index.js';
import { TEST_CONTEXT, verify, type ContextLayout, type MapDescriptor, type VerifierResult } from '../verifier/index.js';

/** Licenses Linux treats as GPL-compatible (license_is_gpl_compatible). */
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export interface ProgramVerdict {
  readonly name: string;
  readonly section: string;
  readonly result: VerifierResult;
  /** The program type has no context model yet; the 64-byte test context stood in. */
  readonly contextFallback: boolean;
}

export interface VerifyObjectOptions {
  readonly section?: string;
  readonly program?: string;
  readonly logLevel?: 0 | 1 | 2;
  /** Program type (name or number) for sections that name none (`2/1`, `.text`); otherwise they get the test context. */
  readonly fallbackType?: string | number;
  /** Processed-instruction limit (Linux's 1,000,000 by default). */
  readonly insnLimit?: number;
}

function descriptor(m: ObjectMap): MapDescriptor {
  const d: { -readonly [K in keyof MapDescriptor]: MapDescriptor[K] } = {
    type: m.type, keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, flags: m.flags, name: m.name,
  };
  if (m.innerMap) d.inner = descriptor(m.innerMap);
  return d;
}

function contextOf(p: ProgramSpec, fallbackType: string | number | undefined): { context: ContextLayout; returnRange?: readonly [bigint, bigint]; fallback: boolean } {
  try {
    const info = programType(p.type === 0 && fallbackType !== undefined ? fallbackType : p.type);
    const out: { context: ContextLayout; returnRange?: readonly [bigint, bigint]; fallback: boolean } = { context: info.context, fallback: false };
    if (info.returnRange) out.returnRange = [BigInt(info.returnRange[0]), BigInt(info.returnRange[1])];
    return out;
  } catch {
    return { context: TEST_CONTEXT, fallback: true };
  }
}

/** Verifies the chosen programs (all by default) of an object. Throws the loader's errors. */
export function verifyObject(bytes: Uint8Array, options: VerifyObjectOptions = {}): ProgramVerdict[] {
  const spec = parseObject(bytes);
  const maps = spec.maps.map(descriptor);
  let programs = spec.programs;
  if (options.program !== undefined) {
    const name = options.program;
    // A `.text` function may be verified as a program of its own, as PREVAIL does.
    const found = spec.programs.filter((p) => p.name === name && (options.section === undefined || p.section === options.section));
    programs = found.length ? found : [spec.linkFunction(name, options.section)];
  }
  else if (options.section !== undefined) programs = spec.programsInSection(options.section);
  return programs.map((p) => {
    const { context, returnRange, fallback } = contextOf(p, options.fallbackType);
    const lineInfo = new Map(p.lineInfo.map((l) => [l.pc, `${l.fileName}:${l.lineNum}: ${l.line.trim()}`]));
    const result = verify(p.insns, {
      context, helperPrototype, maps, logLevel: options.logLevel ?? 1, gpl: GPL_COMPATIBLE.has(p.license),
      lineInfo, recordStates: false, ...(returnRange ? { returnRange } : {}),
      ...(options.insnLimit !== undefined ? { insnLimit: options.insnLimit } : {}),
    });
    return { name: p.name, section: p.section, result, contextFallback: fallback };
  });
}
