/**
 * Test-only: the few ELF facts the BTF tests need from the committed fixture objects
 * (section bytes by name, section sizes, data symbols). The real ELF reader lives in
 * `src/elf/`; `btf/` must not depend on it, so the tests carry this small one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

export interface TestSection { name: string; type: number; offset: number; size: number }
export interface TestSymbol { name: string; section: number; value: number; size: number; type: number }
export interface TestElf { bytes: Uint8Array; sections: TestSection[]; symbols: TestSymbol[]; section(name: string): Uint8Array | undefined }

/** Path of a file in `src/btf/fixtures/` (the tests run from `dist-*`/btf, the objects stay in src). */
export function fixturePath(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, '..', '..', 'src', 'btf', 'fixtures', name);
}

/** The repository root (for `../shared`). */
export function repoRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function readElf(path: string): TestElf {
  const bytes = new Uint8Array(readFileSync(path));
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const p = shoff + i * shentsize;
    raw.push({
      nameOff: v.getUint32(p, true), type: v.getUint32(p + 4, true),
      offset: Number(v.getBigUint64(p + 0x18, true)), size: Number(v.getBigUint64(p + 0x20, true)),
      link: v.getUint32(p + 0x28, true), entsize: Number(v.getBigUint64(p + 0x38, true)),
    });
  }
  const cstr = (off: number): string => {
    let e = off;
    while (bytes[e] !== 0) e++;
    return new TextDecoder().decode(bytes.subarray(off, e));
  };
  const shstr = raw[shstrndx]!.offset;
  const sections = raw.map((s) => ({ name: cstr(shstr + s.nameOff), type: s.type, offset: s.offset, size: s.size }));
  const symbols: TestSymbol[] = [];
  const symtab = raw.find((s) => s.type === 2);
  if (symtab) {
    const strtab = raw[symtab.link]!.offset;
    for (let p = symtab.offset; p < symtab.offset + symtab.size; p += 24) {
      symbols.push({
        name: cstr(strtab + v.getUint32(p, true)), type: bytes[p + 4]! & 0xf, section: v.getUint16(p + 6, true),
        value: Number(v.getBigUint64(p + 8, true)), size: Number(v.getBigUint64(p + 16, true)),
      });
    }
  }
  return {
    bytes, sections, symbols,
    section(name) {
      const s = sections.find((x) => x.name === name);
      return s && bytes.subarray(s.offset, s.offset + s.size);
    },
  };
}

/** Runs a tool and returns its stdout, or undefined when the tool is absent. */
export function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Deterministic pseudo-random numbers (xorshift32) for fuzz tests. */
export function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

export const BPFTOOL = ['/usr/sbin/bpftool', 'bpftool'].find((p) => tryRun(p, ['version']) !== undefined);

/** The shared Linux 6.18 BTF (gzipped). */
export const VMLINUX = join(repoRoot(), '..', 'shared', 'btf', 'vmlinux-6.18.btf.gz');
let vmlinuxBytes: Uint8Array | undefined;
/** The uncompressed vmlinux BTF, read once per test file. */
export function vmlinux(): Uint8Array {
  vmlinuxBytes ??= new Uint8Array(gunzipSync(readFileSync(VMLINUX)));
  return vmlinuxBytes;
}
