// Randomized tests: structuredClone of random object graphs is a faithful,
// independent copy (shape, values, shared references and cycles), and
// console.log formats any of them without throwing. Seeded, so failures
// repeat.

let seed = 0x9e3779b9;
const rand = (n) => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
};

function randomValue(depth, pool) {
  if (pool.length > 0 && rand(8) === 0) return pool[rand(pool.length)]; // shared reference / cycle
  const k = depth > 3 ? rand(8) : rand(16);
  switch (k) {
    case 0: return rand(1000) - 500;
    case 1: return [NaN, -0, Infinity, 0.5, 2 ** 53][rand(5)];
    case 2: return "s" + rand(100) + ["", "\n", "'", "\ud800", "é"][rand(5)];
    case 3: return [true, false, null, undefined][rand(4)];
    case 4: return BigInt(rand(1e6)) * 10n ** 20n;
    case 5: return new Date(rand(2 ** 31) * 1000);
    case 6: return new Uint8Array([rand(256), rand(256), rand(256)]);
    case 7: return /x+/gi;
    case 8: case 9: case 10: {
      const a = [];
      pool.push(a);
      for (let i = rand(5); i > 0; i--) a.push(randomValue(depth + 1, pool));
      if (rand(4) === 0) a[a.length + 2] = 1; // holes
      return a;
    }
    case 11: case 12: {
      const o = {};
      pool.push(o);
      for (let i = rand(5); i > 0; i--) o["k" + rand(20)] = randomValue(depth + 1, pool);
      return o;
    }
    case 13: {
      const m = new Map();
      pool.push(m);
      for (let i = rand(4); i > 0; i--) m.set(randomValue(depth + 1, pool), randomValue(depth + 1, pool));
      return m;
    }
    case 14: {
      const s = new Set();
      pool.push(s);
      for (let i = rand(4); i > 0; i--) s.add(randomValue(depth + 1, pool));
      return s;
    }
    default: {
      const e = new [Error, TypeError, RangeError][rand(3)]("m" + rand(10));
      e.code = rand(5);
      return e;
    }
  }
}

// same compares a and its clone b: equal values, b's objects are fresh, and
// the mapping between them is one to one (shared references and cycles
// survive).
function same(a, b, map, back, path) {
  if (typeof a !== "object" || a === null) {
    if (!Object.is(a, b)) throw new Error(`${path}: ${String(a)} !== ${String(b)}`);
    return;
  }
  if (typeof b !== "object" || b === null) throw new Error(`${path}: object became ${String(b)}`);
  if (map.has(a)) {
    if (map.get(a) !== b) throw new Error(`${path}: shared reference not preserved`);
    return;
  }
  if (a === b) throw new Error(`${path}: not copied`);
  if (back.has(b)) throw new Error(`${path}: two originals map to one clone`);
  map.set(a, b);
  back.add(b);
  const tag = Object.prototype.toString.call(a);
  if (tag !== Object.prototype.toString.call(b)) throw new Error(`${path}: ${tag} became ${Object.prototype.toString.call(b)}`);
  if (a instanceof Date) return same(a.getTime(), b.getTime(), map, back, path + ".time");
  if (a instanceof RegExp) return same(a.toString(), b.toString(), map, back, path + ".re");
  if (a instanceof Uint8Array) return same(a.join(), b.join(), map, back, path + ".bytes");
  if (a instanceof Error) {
    same(a.name, b.name, map, back, path + ".name");
    same(a.message, b.message, map, back, path + ".message");
    same(a.code, b.code, map, back, path + ".code");
    return;
  }
  if (a instanceof Map) {
    same(a.size, b.size, map, back, path + ".size");
    const ea = [...a], eb = [...b];
    for (let i = 0; i < ea.length; i++) {
      same(ea[i][0], eb[i][0], map, back, `${path}.key${i}`);
      same(ea[i][1], eb[i][1], map, back, `${path}.val${i}`);
    }
    return;
  }
  if (a instanceof Set) {
    const ea = [...a], eb = [...b];
    same(ea.length, eb.length, map, back, path + ".size");
    for (let i = 0; i < ea.length; i++) same(ea[i], eb[i], map, back, `${path}[${i}]`);
    return;
  }
  if (Array.isArray(a)) {
    same(a.length, b.length, map, back, path + ".length");
    for (let i = 0; i < a.length; i++) {
      same(i in a, i in b, map, back, `${path}[${i}] present`);
      same(a[i], b[i], map, back, `${path}[${i}]`);
    }
    return;
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  same(ka.join(), kb.join(), map, back, path + " keys");
  for (const k of ka) same(a[k], b[k], map, back, `${path}.${k}`);
}

test("structuredClone of random graphs is faithful", () => {
  for (let i = 0; i < 400; i++) {
    const pool = [];
    const v = randomValue(0, pool);
    const c = structuredClone(v);
    try {
      same(v, c, new Map(), new Set(), "value");
    } catch (e) {
      throw new Error(`case ${i}: ${e.message}`);
    }
  }
});

test("console.log formats random graphs without throwing", () => {
  for (let i = 0; i < 400; i++) {
    const v = randomValue(0, []);
    console.log("%o", v);
    console.log(v, [v], { v });
    console.dir(v, { depth: 5 });
  }
});
