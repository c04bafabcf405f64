// JSON values as serde_json sees them, for comparing replies the way crates/policy/tests/corpus.rs does:
// integers (exact, BigInt) and floats are different kinds, object key order does not matter, and the last
// of duplicate keys wins. Number lexemes are kept, so a parsed value is written back unchanged.
// Values: null, boolean, string, Num {kind: 'int' | 'float', value: BigInt | number, text}, Array, Map.
class Num {
  constructor(kind, value, text) { this.kind = kind; this.value = value; this.text = text; }
}

export function parseJson(text) {
  let i = 0;
  const fail = (what) => { throw new SyntaxError(`${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const map = new Map(); ws();
      if (text[i] === '}') { i++; return map; }
      for (;;) {
        ws(); if (text[i] !== '"') fail('expected a key');
        const k = string(); ws(); if (text[i++] !== ':') fail('expected ":"');
        map.set(k, value()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === '}') return map;
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++; const list = []; ws();
      if (text[i] === ']') { i++; return list; }
      for (;;) {
        list.push(value()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === ']') return list;
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return v; }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('unexpected character');
    i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(m[0]);
      // serde_json: u64 or i64 when it fits, else a float
      if (n <= 18446744073709551615n && n >= -9223372036854775808n) return new Num('int', n, m[0]);
    }
    return new Num('float', Number(m[0]), m[0]);
  };
  const string = () => {
    const start = i; i++;
    while (text[i] !== '"') { if (i >= text.length) fail('unterminated string'); if (text[i] === '\\') i++; i++; }
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value(); ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

export function stringify(v) {
  if (v instanceof Num) return v.text;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  return JSON.stringify(v);
}

export function jsonEqual(a, b) {
  if (a instanceof Num || b instanceof Num) {
    return a instanceof Num && b instanceof Num && a.kind === b.kind && a.value === b.value;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, x] of a) if (!b.has(k) || !jsonEqual(x, b.get(k))) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, n) => jsonEqual(x, b[n]));
  }
  return a === b;
}

