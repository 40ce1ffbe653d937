// d1.js: the D1Database binding (Cloudflare D1) over the d1* host functions
// of internal/binding/d1.go. Results have D1's shape: {success, meta,
// results}; BLOBs come back as arrays of byte values. Go encodes each result
// as JSON already in the shape the method returns, so one JSON.parse builds
// it.
const { callAsync, host, registerBinding, toHost } = globalThis.__zs_internal;

// d1Error rebuilds an error from Go ("D1_ERROR: text") as D1 throws it: an
// Error with that message whose cause holds the text alone.
function d1Error(e) {
  const msg = String(e && e.message !== undefined ? e.message : e);
  if (!msg.startsWith("D1_")) return e;
  const i = msg.indexOf(": ");
  return new Error(msg, { cause: new Error(i >= 0 ? msg.slice(i + 2) : msg) });
}

function rethrow(e) {
  throw d1Error(e);
}

function call(name, ...args) {
  return callAsync(name, ...args).catch(rethrow);
}

// bindValue maps one JavaScript value to what D1 stores, or throws as D1
// does for types it does not support.
function bindValue(v) {
  switch (typeof v) {
    case "number":
    case "string":
      return v;
    case "boolean":
      return v ? 1 : 0;
    case "object":
      if (v === null) return null;
      if (v instanceof ArrayBuffer) return new Uint8Array(v);
      if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return Uint8Array.from(v);
  }
  throw new Error(`D1_TYPE_ERROR: Type '${typeof v}' not supported for value '${String(v)}'`,
    { cause: new Error(`Type '${typeof v}' not supported for value '${String(v)}'`) });
}

// Blobs collects the BLOB parameters of one host call into one buffer.
class Blobs {
  constructor() { this.parts = []; this.len = 0; this.all = null; }
  add(u8) {
    const ref = { b: [this.len, u8.byteLength] };
    this.parts.push(u8);
    this.len += u8.byteLength;
    return ref;
  }
  encode(params) {
    return params.map((v) => (v instanceof Uint8Array ? this.add(v) : v));
  }
  // args returns [buffer, length] for a host call; call it again for each
  // call (a large buffer is staged in Go and taken by the call).
  args() {
    if (this.len === 0) return [null, 0];
    if (this.all === null) {
      this.all = new Uint8Array(this.len);
      let off = 0;
      for (const p of this.parts) { this.all.set(p, off); off += p.byteLength; }
    }
    return [toHost(this.all), this.len];
  }
}

// Result shapes (d1.go).
const SHAPE_RESULT = 0, SHAPE_FIRST = 1, SHAPE_RAW = 2, SHAPE_RAW_COLS = 3;

const kDb = Symbol("db"), kSql = Symbol("sql"), kParams = Symbol("params");

// SELECT matches what d1.go's isSelect accepts: a statement starting with
// SELECT after blanks and parentheses.
const SELECT = /^[ \t\r\n(]*select/i;

class D1PreparedStatement {
  constructor(db, sql, params = []) {
    this[kDb] = db;
    this[kSql] = sql;
    this[kParams] = params;
  }

  bind(...values) {
    return new D1PreparedStatement(this[kDb], this[kSql], values.map(bindValue));
  }

  // #exec runs the statement and returns its result in shape: the value
  // itself when the query finished on the fast path (d1Query), else a
  // promise for it.
  #exec(shape) {
    const ps = this[kParams], sql = this[kSql];
    let params, blobs = null, sab = null, n = 0;
    if (ps.length === 0) {
      params = "";
    } else if (ps.some((v) => v instanceof Uint8Array)) {
      blobs = new Blobs();
      params = JSON.stringify(blobs.encode(ps));
    } else {
      params = JSON.stringify(ps);
    }
    // Only a SELECT can take the fast path (d1.go decides; this test, the
    // same as Go's, spares other statements a call that would decline).
    if (SELECT.test(sql)) {
      let r;
      try {
        // Each argument costs a handle in Go: the statement goes packed in
        // one string (see d1.go), the blob buffer only when there is one.
        const packed = shape + this[kDb] + "\0" + params + "\0" + sql;
        if (blobs === null) r = host.d1Query(packed);
        else r = host.d1Query(packed, ...blobs.args());
      } catch (e) {
        throw d1Error(e);
      }
      if (r !== undefined) return JSON.parse(r);
    }
    if (blobs !== null) [sab, n] = blobs.args();
    return callAsync("d1Exec", shape, this[kDb], sql, params, sab, n).catch(rethrow);
  }

  async first(colName) {
    let row = this.#exec(SHAPE_FIRST);
    if (row instanceof Promise) row = await row;
    if (row === null) return null;
    if (colName === undefined) return row;
    if (row[colName] === undefined) {
      throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`, { cause: new Error("Column not found") });
    }
    return row[colName];
  }

  async all() { return this.#exec(SHAPE_RESULT); }

  async run() { return this.#exec(SHAPE_RESULT); }

  async raw(options) { return this.#exec(options && options.columnNames ? SHAPE_RAW_COLS : SHAPE_RAW); }
}
Object.defineProperty(D1PreparedStatement.prototype, Symbol.toStringTag, { value: "D1PreparedStatement" });

async function batch(id, statements) {
  if (!Array.isArray(statements)) throw new TypeError("D1 batch() takes an array of prepared statements");
  const blobs = new Blobs();
  const sts = statements.map((s) => {
    if (!(s instanceof D1PreparedStatement)) throw new TypeError("D1 batch() takes an array of prepared statements");
    return [s[kSql], blobs.encode(s[kParams])];
  });
  const [sab, n] = blobs.args();
  return call("d1Batch", id, JSON.stringify(sts), sab, n);
}

function sqlArg(sql, what) {
  if (typeof sql !== "string") throw new TypeError(`D1 ${what}: the query must be a string`);
  return sql;
}

const kId = Symbol("id"), kBookmark = Symbol("bookmark");
let bookmarks = 0;

class D1DatabaseSession {
  constructor(id, constraint) {
    this[kId] = id;
    this[kBookmark] = constraint === "first-primary" || constraint === "first-unconstrained" || constraint === undefined ? null : String(constraint);
  }
  prepare(sql) {
    this[kBookmark] = `${(++bookmarks).toString(16).padStart(8, "0")}-00000000-00000000-00000000000000000000000000000000`;
    return new D1PreparedStatement(this[kId], sqlArg(sql, "prepare()"));
  }
  async batch(statements) {
    const r = await batch(this[kId], statements);
    this[kBookmark] = `${(++bookmarks).toString(16).padStart(8, "0")}-00000000-00000000-00000000000000000000000000000000`;
    return r;
  }
  getBookmark() { return this[kBookmark]; }
}

class D1Database {
  constructor(id) { this[kId] = id; }
  prepare(sql) { return new D1PreparedStatement(this[kId], sqlArg(sql, "prepare()")); }
  batch(statements) { return batch(this[kId], statements); }
  async exec(sql) { return call("d1Script", this[kId], sqlArg(sql, "exec()")); }
  async dump() {
    const u8 = await call("d1Dump", this[kId]);
    return u8.buffer.byteLength === u8.byteLength ? u8.buffer : u8.slice().buffer;
  }
  withSession(constraint) { return new D1DatabaseSession(this[kId], constraint); }
}
Object.defineProperty(D1Database.prototype, Symbol.toStringTag, { value: "D1Database" });

registerBinding("d1", (name, config) => new D1Database(config.id));
