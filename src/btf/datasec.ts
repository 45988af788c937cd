import type { Btf } from './btf.js';
import { BtfError, BtfErrorCode } from './errors.js';
import { BtfKind } from './kinds.js';

/** What the ELF symbol table knows and clang did not write into BTF. */
export interface DatasecFacts {
  /** Size in bytes of the ELF section called `name`, or undefined when there is none. */
  sectionSize(name: string): number | undefined;
  /** Value (offset in `section`) of the data symbol `varName`, or undefined when there is none. */
  symbolOffset(section: string, varName: string): number | undefined;
}

/**
 * Sections whose DATASEC describes externs resolved at load time, not bytes of the
 * object: they have no ELF section to take a size from.
 */
const EXTERN_SECTIONS = new Set(['.kconfig', '.ksyms']);

/**
 * Fills in what clang leaves 0 in an object file's DATASECs: each section's size (from
 * the ELF section) and each variable's offset (from its symbol), then orders each
 * section's variables by offset as the kernel requires. DATASECs that already have a
 * size are left alone (BTF from the kernel, or fixed once already). Throws
 * `EBEE_BTF_DATASEC_FIXUP` naming the section or variable when a fact is missing.
 */
export function fixDatasecs(btf: Btf, facts: DatasecFacts): void {
  for (const t of btf.types) {
    if (t.kind !== BtfKind.DATASEC || t.size !== 0 || EXTERN_SECTIONS.has(t.name)) continue;
    const size = facts.sectionSize(t.name);
    if (size === undefined) {
      throw new BtfError(BtfErrorCode.DATASEC_FIXUP, `DATASEC '${t.name}' names no ELF section`, { typeId: t.id });
    }
    t.size = size;
    for (const v of t.vars) {
      const vt = btf.typeById(v.type);
      const varName = vt.name;
      const off = facts.symbolOffset(t.name, varName);
      if (off === undefined) {
        throw new BtfError(BtfErrorCode.DATASEC_FIXUP, `variable '${varName}' of DATASEC '${t.name}' has no symbol`, { typeId: vt.id });
      }
      if (v.size === 0 && vt.kind === BtfKind.VAR) v.size = btf.sizeof(vt.type);
      if (off + v.size > size) {
        throw new BtfError(BtfErrorCode.DATASEC_FIXUP, `variable '${varName}' at ${off} (+${v.size}) lies outside DATASEC '${t.name}' (${size} bytes)`, { typeId: vt.id });
      }
      v.offset = off;
    }
    t.vars.sort((a, b) => a.offset - b.offset);
  }
}
