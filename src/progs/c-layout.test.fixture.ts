/**
 * Context layouts against the system's linux/bpf.h: a C program compiled by cc prints
 * each struct member's offset and size and each struct's size, and the layouts ebee
 * describes are compared with them. Members an older header lacks (bpf_sock_ops's
 * skb_hwtstamp came in Linux 6.2) are left out, said so, and their struct's size is
 * then not compared.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContextLayout } from '../verifier/context.js';

export interface CProbe {
  /** `struct.member`: offset and size as cc lays them out. */
  readonly members: ReadonlyMap<string, { readonly offset: number; readonly size: number }>;
  /** sizeof of each struct whose members were all found. */
  readonly sizes: ReadonlyMap<string, number>;
  /** The extra expressions asked for, by name. */
  readonly values: ReadonlyMap<string, number>;
}

/** The C members a layout describes: each array once, without other views of a member (names with ':'). */
export function cMembers(layout: ContextLayout, keep: (name: string) => boolean = (n) => !n.includes(':')): string[] {
  return [...new Set(layout.fields.filter((f) => keep(f.name)).map((f) => f.name.replace(/\[\d+\]$/, '')))];
}

function source(structs: ReadonlyArray<readonly [string, readonly string[]]>, sized: ReadonlySet<string>,
  headers: readonly string[], values: Readonly<Record<string, string>>): string {
  return ['#include <stdio.h>', '#include <stddef.h>', ...headers.map((h) => `#include <${h}>`), 'int main(void) {',
    ...structs.flatMap(([s, names]) => names.map((n) =>
      `printf("m ${s}.${n} %zu %zu\\n", offsetof(struct ${s}, ${n}), sizeof(((struct ${s} *)0)->${n}));`)),
    ...[...sized].map((s) => `printf("s ${s} %zu\\n", sizeof(struct ${s}));`),
    ...Object.entries(values).map(([name, expr]) => `printf("v ${name} %zu\\n", (size_t)(${expr}));`),
    'return 0; }'].join('\n');
}

/**
 * Compiles and runs the probe for `structs` (each with the members to measure);
 * undefined when there is no C compiler with linux/bpf.h.
 */
export function probeLayouts(structs: ReadonlyArray<readonly [string, readonly string[]]>,
  options: { readonly headers?: readonly string[]; readonly values?: Readonly<Record<string, string>> } = {}): CProbe | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ebee-layout-'));
  try {
    let members = structs;
    const sized = new Set(structs.map(([s]) => s));
    for (let attempt = 0; ; attempt++) {
      writeFileSync(join(dir, 'o.c'), source(members, sized, options.headers ?? ['linux/bpf.h'], options.values ?? {}));
      let stderr = '';
      try {
        execFileSync('cc', [join(dir, 'o.c'), '-o', join(dir, 'o')], { stdio: 'pipe' });
        break;
      } catch (err) {
        stderr = String((err as { stderr?: unknown }).stderr ?? '');
      }
      const missing = [...stderr.matchAll(/'struct (\w+)' has no member named '(\w+)'|‘struct (\w+)’ has no member named ‘(\w+)’/g)]
        .map((m) => [m[1] ?? m[3]!, m[2] ?? m[4]!] as const)
        .filter(([s, n], k, all) => all.findIndex(([s2, n2]) => s2 === s && n2 === n) === k);
      if (!missing.length || attempt > 3) return undefined;
      for (const [s, n] of missing) {
        console.log(`the system's linux/bpf.h has no ${s}.${n}: not compared`);
        sized.delete(s);
      }
      members = members.map(([s, names]) => [s, names.filter((n) => !missing.some(([ms, mn]) => ms === s && mn === n))] as const);
    }
    const probe = { members: new Map<string, { offset: number; size: number }>(), sizes: new Map<string, number>(), values: new Map<string, number>() };
    for (const line of execFileSync(join(dir, 'o'), { encoding: 'utf8' }).trim().split('\n')) {
      const [kind, name, a, b] = line.split(' ') as [string, string, string, string?];
      if (kind === 'm') probe.members.set(name, { offset: Number(a), size: Number(b) });
      else if (kind === 's') probe.sizes.set(name, Number(a));
      else probe.values.set(name, Number(a));
    }
    return probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Asserts that every probed member of `struct` is where `layout` puts it, with its
 * size (an array's elements together), and the struct's size when it was probed.
 * Returns how many members were compared.
 */
export function assertMatchesC(probe: CProbe, struct: string, layout: ContextLayout): number {
  let checked = 0;
  for (const [key, m] of probe.members) {
    if (!key.startsWith(`${struct}.`)) continue;
    const name = key.slice(struct.length + 1);
    const f = layout.fields.find((x) => x.name === name || x.name === `${name}[0]`);
    assert.ok(f, `${key} is not in ebee's layout`);
    assert.equal(f.offset, m.offset, `${key} offset`);
    const count = layout.fields.filter((x) => x.name.startsWith(`${name}[`)).length || 1;
    assert.equal(f.size * count, m.size, `${key} size`);
    checked++;
  }
  const size = probe.sizes.get(struct);
  if (size !== undefined) assert.equal(layout.size, size, `sizeof(struct ${struct})`);
  return checked;
}
