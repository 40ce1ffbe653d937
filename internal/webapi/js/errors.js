// errors.js: DOMException (WebIDL), and the hook that turns the DOMErrors Go
// host functions report into DOMExceptions.
import { host, defineGlobal } from "./host.js";

// Legacy codes of the WebIDL error names table; other names have code 0.
const codes = {
  IndexSizeError: 1,
  HierarchyRequestError: 3,
  WrongDocumentError: 4,
  InvalidCharacterError: 5,
  NoModificationAllowedError: 7,
  NotFoundError: 8,
  NotSupportedError: 9,
  InUseAttributeError: 10,
  InvalidStateError: 11,
  SyntaxError: 12,
  InvalidModificationError: 13,
  NamespaceError: 14,
  InvalidAccessError: 15,
  TypeMismatchError: 17,
  SecurityError: 18,
  NetworkError: 19,
  AbortError: 20,
  URLMismatchError: 21,
  QuotaExceededError: 22,
  TimeoutError: 23,
  InvalidNodeTypeError: 24,
  DataCloneError: 25,
};

const constants = [
  "INDEX_SIZE_ERR", "DOMSTRING_SIZE_ERR", "HIERARCHY_REQUEST_ERR", "WRONG_DOCUMENT_ERR",
  "INVALID_CHARACTER_ERR", "NO_DATA_ALLOWED_ERR", "NO_MODIFICATION_ALLOWED_ERR", "NOT_FOUND_ERR",
  "NOT_SUPPORTED_ERR", "INUSE_ATTRIBUTE_ERR", "INVALID_STATE_ERR", "SYNTAX_ERR",
  "INVALID_MODIFICATION_ERR", "NAMESPACE_ERR", "INVALID_ACCESS_ERR", "VALIDATION_ERR",
  "TYPE_MISMATCH_ERR", "SECURITY_ERR", "NETWORK_ERR", "ABORT_ERR", "URL_MISMATCH_ERR",
  "QUOTA_EXCEEDED_ERR", "TIMEOUT_ERR", "INVALID_NODE_TYPE_ERR", "DATA_CLONE_ERR",
];

// DOMException is WebIDL's exception class. As in workerd it extends Error
// (instances are native errors with a V8 stack, so host functions can throw
// them) and message is an own property, set by Error's constructor; name
// and code are prototype getters.
export class DOMException extends Error {
  #name;
  constructor(message = undefined, options = undefined) {
    super(message === undefined ? "" : `${message}`);
    let name = "Error";
    if (options !== undefined) {
      if (options !== null && typeof options === "object") {
        // The newer dictionary form: { name, cause }.
        if (options.name !== undefined) name = `${options.name}`;
        if ("cause" in options) {
          Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true, enumerable: false });
        }
      } else {
        name = `${options}`;
      }
    }
    this.#name = name;
  }
  get name() { return this.#name; }
  get code() { return codes[this.#name] ?? 0; }
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", configurable: true });
for (let i = 0; i < constants.length; i++) {
  const d = { value: i + 1, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(DOMException, constants[i], d);
  Object.defineProperty(DOMException.prototype, constants[i], d);
}

// isDOMException reports whether v is a real DOMException (has the internal
// slots), unlike instanceof which follows the prototype chain.
export function isDOMException(v) {
  try {
    Reflect.apply(nameGetter, v, []);
    return true;
  } catch {
    return false;
  }
}
const nameGetter = Object.getOwnPropertyDescriptor(DOMException.prototype, "name").get;

// domException is a shorthand for new DOMException(message, name).
export function domException(name, message) {
  return new DOMException(message, name);
}

const jsErrors = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

// Go reports errors by name; ECMAScript error classes stay what they are and
// every other name becomes a DOMException.
host.domerr = (name, msg) => {
  const C = jsErrors[name];
  return C ? new C(msg) : new DOMException(msg, name);
};

defineGlobal("DOMException", DOMException);
