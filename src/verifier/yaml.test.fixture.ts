/**
 * A minimal YAML reader for exactly what PREVAIL's test files use: a stream of
 * documents separated by `---`, each a mapping of top-level keys whose values are a
 * plain scalar, a flow sequence of (quoted) strings possibly over several lines, a
 * block sequence of strings, or (for `code`) a mapping of labels to `|` block
 * scalars. Anything else (the `observe` lists) is kept as raw text.
 */

export type YamlValue = string | string[] | Map<string, string>;
export type YamlDoc = Map<string, YamlValue>;

function stripComment(line: string): string {
  let quote = '';
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (quote) { if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (k === 0 || /\s/.test(line[k - 1]!))) return line.slice(0, k);
  }
  return line;
}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** Splits a flow sequence body on commas outside quotes and brackets. */
function flowItems(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const ch of body) {
    if (quote) { cur += ch; if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") { quote = ch; cur += ch; continue; }
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map(unquote).filter((s) => s.length > 0);
}

function bracketBalance(s: string): number {
  let n = 0;
  let quote = '';
  for (const ch of s) {
    if (quote) { if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') n++;
    else if (ch === ']') n--;
  }
  return n;
}

function parseDoc(lines: readonly string[]): YamlDoc {
  const doc: YamlDoc = new Map();
  let k = 0;
  while (k < lines.length) {
    const raw = lines[k]!;
    const line = stripComment(raw);
    if (!line.trim() || /^\s/.test(line)) { k++; continue; }
    const m = /^([A-Za-z_-][\w-]*):\s*(.*)$/.exec(line);
    if (!m) { k++; continue; }
    const key = m[1]!;
    let rest = m[2]!.trim();
    k++;
    if (rest.startsWith('[')) {
      while (bracketBalance(rest) > 0 && k < lines.length) rest += ' ' + stripComment(lines[k++]!).trim();
      doc.set(key, flowItems(rest.slice(1, rest.lastIndexOf(']'))));
      continue;
    }
    if (rest) { doc.set(key, unquote(rest)); continue; }
    // A block: the indented lines that follow.
    const block: string[] = [];
    while (k < lines.length && (/^\s/.test(lines[k]!) || !lines[k]!.trim())) block.push(lines[k++]!);
    const first = block.find((l) => stripComment(l).trim());
    if (first === undefined) { doc.set(key, []); continue; }
    if (stripComment(first).trim().startsWith('- ') && key !== 'observe') {
      doc.set(key, block.map((l) => stripComment(l).trim()).filter((l) => l.startsWith('- ')).map((l) => unquote(l.slice(2))));
      continue;
    }
    if (key === 'code') {
      const code = new Map<string, string>();
      let label = '';
      let indent = -1;
      let body: string[] = [];
      const flush = (): void => { if (label) code.set(label, body.join('\n')); };
      for (const l of block) {
        const lm = /^(\s+)(<[^>]+>):\s*\|?\s*$/.exec(l);
        if (lm && (indent < 0 || lm[1]!.length <= indent)) {
          flush();
          label = lm[2]!;
          indent = lm[1]!.length;
          body = [];
          continue;
        }
        body.push(l);
      }
      flush();
      doc.set(key, code);
      continue;
    }
    doc.set(key, block.join('\n'));
  }
  return doc;
}

/** Every document of a YAML stream, skipping those without keys. */
export function parseYamlStream(text: string): YamlDoc[] {
  const docs: YamlDoc[] = [];
  let cur: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^---\s*$/.test(line)) { docs.push(parseDoc(cur)); cur = []; continue; }
    cur.push(line);
  }
  docs.push(parseDoc(cur));
  return docs.filter((d) => d.size > 0);
}
