import type { Btf } from './btf.js';
import { BTF_KIND_NAMES, BtfIntEncoding, BtfKind } from './kinds.js';
import type { BtfType } from './types.js';

/**
 * The plain-text listing `bpftool btf dump file X` prints: one `[id] KIND 'name' ...`
 * line per type, followed by a tab-indented line per member, enumerator, parameter or
 * section variable. Byte-identical to bpftool's output for the same BTF (checked
 * against it in the tests), so the two can be diffed.
 */
export function dumpBtfRaw(btf: Btf, options: { from?: number } = {}): string {
  const out: string[] = [];
  for (let id = options.from ?? btf.startId; id < btf.types.length; id++) out.push(dumpRawType(btf, btf.types[id]!));
  return out.length ? out.join('\n') + '\n' : '';
}

/** One type's entry of the raw dump (its lines joined by newlines, no trailing newline). */
export function dumpRawType(btf: Btf, t: BtfType): string {
  let s = `[${t.id}] ${BTF_KIND_NAMES[t.kind]} ${q(t.name)}`;
  switch (t.kind) {
    case BtfKind.INT:
      return `${s} size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} encoding=${intEncoding(t.encoding)}`;
    case BtfKind.PTR: case BtfKind.TYPEDEF: case BtfKind.VOLATILE: case BtfKind.CONST:
    case BtfKind.RESTRICT: case BtfKind.TYPE_TAG:
      return `${s} type_id=${t.type}`;
    case BtfKind.ARRAY:
      return `${s} type_id=${t.elemType} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case BtfKind.STRUCT: case BtfKind.UNION:
      s += ` size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      return s;
    case BtfKind.ENUM: case BtfKind.ENUM64: {
      const suffix = t.kind === BtfKind.ENUM ? '' : t.kindFlag ? 'LL' : 'ULL';
      s += ` encoding=${t.kindFlag ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) s += `\n\t${q(v.name)} val=${v.value}${suffix}`;
      return s;
    }
    case BtfKind.FWD:
      return `${s} fwd_kind=${t.kindFlag ? 'union' : 'struct'}`;
    case BtfKind.FUNC:
      return `${s} type_id=${t.type} linkage=${['static', 'global', 'extern'][t.linkage] ?? '(unknown)'}`;
    case BtfKind.FUNC_PROTO:
      s += ` ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t${q(p.name)} type_id=${p.type}`;
      return s;
    case BtfKind.VAR:
      return `${s} type_id=${t.type}, linkage=${['static', 'global', 'extern'][t.linkage] ?? '(unknown)'}`;
    case BtfKind.DATASEC:
      s += ` size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        const vt = btf.types[v.type];
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size} (${vt ? BTF_KIND_NAMES[vt.kind] : 'UNKN'} ${q(vt?.name ?? '')})`;
      }
      return s;
    case BtfKind.FLOAT:
      return `${s} size=${t.size}`;
    case BtfKind.DECL_TAG:
      return `${s} type_id=${t.type} component_idx=${t.componentIdx}`;
    default:
      return s;
  }
}

function q(name: string): string {
  return `'${name === '' ? '(anon)' : name}'`;
}

function intEncoding(e: number): string {
  switch (e) {
    case 0: return '(none)';
    case BtfIntEncoding.SIGNED: return 'SIGNED';
    case BtfIntEncoding.CHAR: return 'CHAR';
    case BtfIntEncoding.BOOL: return 'BOOL';
    default: return 'UNKN';
  }
}
