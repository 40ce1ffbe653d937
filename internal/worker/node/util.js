// node:util — promisify, callbackify, inherits, format, inspect, types,
// deprecate, isDeepStrictEqual and the TextEncoder/TextDecoder re-exports,
// as Node.js documents them.

import * as types from "node:util/types";
import { inspect, format, formatWithOptions } from "zerostack:node/inspect";
import { deepEqual } from "zerostack:node/compare";
import { nodeError, invalidArgType, validateFunction } from "zerostack:node/errors";

export { types, inspect, format, formatWithOptions };

const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");

export function promisify(original) {
  validateFunction(original, "original");
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    validateFunction(fn, "util.promisify.custom");
    return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original, this, [...args, (err, ...values) => {
        if (err) return reject(err);
        resolve(values.length > 1 ? values : values[0]);
      }]);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;

export function callbackify(original) {
  validateFunction(original, "original");
  function callbackified(...args) {
    const cb = args.pop();
    validateFunction(cb, "last argument");
    const onRejected = (reason) => {
      if (!reason) {
        const e = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
        e.reason = reason;
        reason = e;
      }
      cb(reason);
    };
    Reflect.apply(original, this, args).then((v) => queueMicrotask(() => cb(null, v)), (r) => queueMicrotask(() => onRejected(r)));
  }
  Object.defineProperties(callbackified, Object.getOwnPropertyDescriptors(original));
  return callbackified;
}

export function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw invalidArgType("ctor", "of type function", ctor);
  if (superCtor === undefined || superCtor === null) throw invalidArgType("superCtor", "of type function", superCtor);
  if (superCtor.prototype === undefined) throw invalidArgType("superCtor.prototype", "of type object", superCtor.prototype);
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warned = new Set();
export function deprecate(fn, msg, code) {
  validateFunction(fn, "fn");
  function deprecated(...args) {
    const key = code ?? msg;
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`${code ? `[${code}] ` : ""}DeprecationWarning: ${msg}`);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

export function isDeepStrictEqual(a, b) { return deepEqual(a, b, true); }

export function debuglog(section) {
  const fn = () => {};
  fn.enabled = false;
  return fn;
}
export const debug = debuglog;

export function stripVTControlCharacters(str) {
  if (typeof str !== "string") throw invalidArgType("str", "of type string", str);
  return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007|(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~])/g, "");
}

export function toUSVString(s) { return String(s).toWellFormed(); }

export function getSystemErrorName(err) { return `Unknown system error ${err}`; }

export function aborted(signal, resource) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

// The legacy is* functions Node still exports.
export const isArray = Array.isArray;
export const isBoolean = (v) => typeof v === "boolean";
export const isNull = (v) => v === null;
export const isNullOrUndefined = (v) => v === null || v === undefined;
export const isNumber = (v) => typeof v === "number";
export const isString = (v) => typeof v === "string";
export const isSymbol = (v) => typeof v === "symbol";
export const isUndefined = (v) => v === undefined;
export const isRegExp = types.isRegExp;
export const isObject = (v) => v !== null && typeof v === "object";
export const isDate = types.isDate;
export const isError = (v) => types.isNativeError(v) || v instanceof Error;
export const isFunction = (v) => typeof v === "function";
export const isPrimitive = (v) => v === null || (typeof v !== "object" && typeof v !== "function");

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;

export default {
  types, inspect, format, formatWithOptions, promisify, callbackify, inherits, deprecate, isDeepStrictEqual,
  debuglog, debug, stripVTControlCharacters, toUSVString, getSystemErrorName, aborted, isArray, isBoolean, isNull,
  isNullOrUndefined, isNumber, isString, isSymbol, isUndefined, isRegExp, isObject, isDate, isError, isFunction,
  isPrimitive, TextEncoder, TextDecoder,
};
