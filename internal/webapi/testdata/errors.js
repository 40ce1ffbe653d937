// DOMException: after WPT webidl/ecmascript-binding/es-exceptions/DOMException-*.

test("constructor defaults", () => {
  const e = new DOMException();
  assertEquals(e.name, "Error");
  assertEquals(e.message, "");
  assertEquals(e.code, 0);
  assert(!Object.prototype.hasOwnProperty.call(e, "name"), "name is not own");
  // workerd makes message an own property (as Error does), not enumerable.
  assert(Object.prototype.hasOwnProperty.call(e, "message"), "message is own");
  assertEquals(Object.keys(e), []);
});

test("message and name", () => {
  const e = new DOMException("boom", "AbortError");
  assertEquals(e.name, "AbortError");
  assertEquals(e.message, "boom");
  assertEquals(e.code, 20);
  assertEquals(String(e), "AbortError: boom");
  assertEquals(new DOMException(undefined, "X").message, "");
  assertEquals(new DOMException(null).message, "null");
  assertEquals(new DOMException("m", undefined).name, "Error");
});

test("legacy code table", () => {
  const table = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5,
    NoModificationAllowedError: 7, NotFoundError: 8, NotSupportedError: 9, InUseAttributeError: 10,
    InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
    InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
    EncodingError: 0, NotReadableError: 0, UnknownError: 0, ConstraintError: 0, DataError: 0,
    TransactionInactiveError: 0, ReadOnlyError: 0, VersionError: 0, OperationError: 0, NotAllowedError: 0,
  };
  for (const [name, code] of Object.entries(table)) assertEquals(new DOMException("", name).code, code, name);
});

test("constants on constructor and prototype", () => {
  assertEquals(DOMException.INDEX_SIZE_ERR, 1);
  assertEquals(DOMException.DOMSTRING_SIZE_ERR, 2);
  assertEquals(DOMException.ABORT_ERR, 20);
  assertEquals(DOMException.TIMEOUT_ERR, 23);
  assertEquals(DOMException.DATA_CLONE_ERR, 25);
  assertEquals(DOMException.prototype.NETWORK_ERR, 19);
  assertEquals(new DOMException().SYNTAX_ERR, 12);
  const d = Object.getOwnPropertyDescriptor(DOMException, "ABORT_ERR");
  assert(!d.writable && !d.configurable && d.enumerable, "constant descriptor");
});

test("is an Error with a stack", () => {
  const e = new DOMException("msg", "NotFoundError");
  assert(e instanceof Error, "instanceof Error");
  assert(e instanceof DOMException, "instanceof DOMException");
  assertEquals(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
  assertEquals(typeof e.stack, "string");
  assert(e.stack.startsWith("NotFoundError: msg\n"), e.stack);
  assert(!e.stack.includes("new DOMException"), "constructor frame hidden");
  assertEquals(Object.prototype.toString.call(e), "[object DOMException]");
  if (Error.isError) assert(Error.isError(e), "Error.isError");
});

test("getters are brand-checked", () => {
  const get = Object.getOwnPropertyDescriptor(DOMException.prototype, "name").get;
  assertThrows(() => get.call({}), TypeError);
  assertThrows(() => DOMException.prototype.code, TypeError);
  assertThrows(() => DOMException(), TypeError);
});

test("options dictionary with cause", () => {
  const e = new DOMException("m", { name: "DataError", cause: 42 });
  assertEquals(e.name, "DataError");
  assertEquals(e.cause, 42);
});

test("global is not enumerable", () => {
  assert(!Object.keys(globalThis).includes("DOMException"));
  assertEquals(typeof globalThis.DOMException, "function");
});

test("subclassing works", () => {
  class MyErr extends DOMException { constructor() { super("sub", "InvalidStateError"); } }
  const e = new MyErr();
  assertEquals(e.name, "InvalidStateError");
  assertEquals(e.code, 11);
  assert(e instanceof MyErr && e instanceof DOMException && e instanceof Error);
});

test("class names survive bundling", () => {
  const names = ["DOMException", "Event", "EventTarget", "CustomEvent", "ErrorEvent", "MessageEvent", "CloseEvent",
    "PromiseRejectionEvent", "AbortController", "AbortSignal", "Blob", "File", "FormData"];
  for (const n of names) assertEquals(globalThis[n].name, n);
  assertEquals(structuredClone.name, "structuredClone");
});

test("errors reported by Go become DOMExceptions", async () => {
  if (typeof crypto === "undefined" || !crypto.subtle) return;
  const e = await assertRejects(
    crypto.subtle.importKey("pkcs8", new Uint8Array([1, 2, 3]), { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]));
  assert(e instanceof DOMException, `DOMException, got ${e}`);
  assertEquals(e.name, "DataError");
  assertEquals(e.code, 0);
  assert(typeof e.stack === "string");
});
