// node:util/types — type checks as Node.js documents them, from the
// language's own brand checks (Object.prototype.toString tags and
// prototype-method probes), never from constructor names alone.

const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
const TA = Object.getPrototypeOf(Uint8Array);
const taTag = Object.getOwnPropertyDescriptor(TA.prototype, Symbol.toStringTag).get;

function probe(fn, v) {
  try { fn.call(v); return true; } catch { return false; }
}

export const isAnyArrayBuffer = (v) => isArrayBuffer(v) || isSharedArrayBuffer(v);
export const isArrayBuffer = (v) => typeof v === "object" && v !== null && probe(Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get, v);
export const isSharedArrayBuffer = (v) => typeof SharedArrayBuffer !== "undefined" && typeof v === "object" && v !== null && probe(Object.getOwnPropertyDescriptor(SharedArrayBuffer.prototype, "byteLength").get, v);
export const isArrayBufferView = (v) => ArrayBuffer.isView(v);
export const isTypedArray = (v) => taTag.call(v) !== undefined;
const typed = (name) => (v) => taTag.call(v) === name;
export const isUint8Array = typed("Uint8Array");
export const isUint8ClampedArray = typed("Uint8ClampedArray");
export const isUint16Array = typed("Uint16Array");
export const isUint32Array = typed("Uint32Array");
export const isInt8Array = typed("Int8Array");
export const isInt16Array = typed("Int16Array");
export const isInt32Array = typed("Int32Array");
export const isFloat32Array = typed("Float32Array");
export const isFloat64Array = typed("Float64Array");
export const isBigInt64Array = typed("BigInt64Array");
export const isBigUint64Array = typed("BigUint64Array");
export const isDataView = (v) => ArrayBuffer.isView(v) && !isTypedArray(v);
export const isDate = (v) => typeof v === "object" && v !== null && probe(Date.prototype.getTime, v);
export const isRegExp = (v) => typeof v === "object" && v !== null && probe(Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get, v) && v !== RegExp.prototype;
export const isMap = (v) => typeof v === "object" && v !== null && probe(Object.getOwnPropertyDescriptor(Map.prototype, "size").get, v);
export const isSet = (v) => typeof v === "object" && v !== null && probe(Object.getOwnPropertyDescriptor(Set.prototype, "size").get, v);
export const isWeakMap = (v) => typeof v === "object" && v !== null && probe(function () { WeakMap.prototype.has.call(this, {}); }, v);
export const isWeakSet = (v) => typeof v === "object" && v !== null && probe(function () { WeakSet.prototype.has.call(this, {}); }, v);
export const isPromise = (v) => v instanceof Promise || tag(v) === "Promise";
export const isMapIterator = (v) => tag(v) === "Map Iterator";
export const isSetIterator = (v) => tag(v) === "Set Iterator";
export const isGeneratorObject = (v) => tag(v) === "Generator" || tag(v) === "AsyncGenerator";
const AsyncFunction = (async () => {}).constructor;
const GeneratorFunction = (function* () {}).constructor;
const AsyncGeneratorFunction = (async function* () {}).constructor;
export const isAsyncFunction = (v) => typeof v === "function" && (v instanceof AsyncFunction || v instanceof AsyncGeneratorFunction);
export const isGeneratorFunction = (v) => typeof v === "function" && (v instanceof GeneratorFunction || v instanceof AsyncGeneratorFunction);
export const isNativeError = (v) => v instanceof Error || tag(v) === "Error";
export const isBoxedPrimitive = (v) => isNumberObject(v) || isStringObject(v) || isBooleanObject(v) || isBigIntObject(v) || isSymbolObject(v);
export const isNumberObject = (v) => typeof v === "object" && v !== null && probe(Number.prototype.valueOf, v);
export const isStringObject = (v) => typeof v === "object" && v !== null && probe(String.prototype.valueOf, v);
export const isBooleanObject = (v) => typeof v === "object" && v !== null && probe(Boolean.prototype.valueOf, v);
export const isBigIntObject = (v) => typeof v === "object" && v !== null && probe(BigInt.prototype.valueOf, v);
export const isSymbolObject = (v) => typeof v === "object" && v !== null && probe(Symbol.prototype.valueOf, v);
export const isArgumentsObject = (v) => tag(v) === "Arguments";
export const isProxy = () => false;
export const isExternal = () => false;
export const isModuleNamespaceObject = (v) => typeof v === "object" && v !== null && v[Symbol.toStringTag] === "Module" && Object.getPrototypeOf(v) === null;
export const isKeyObject = () => false;
export const isCryptoKey = (v) => typeof CryptoKey !== "undefined" && v instanceof CryptoKey;

export default {
  isAnyArrayBuffer, isArrayBuffer, isSharedArrayBuffer, isArrayBufferView, isTypedArray, isUint8Array,
  isUint8ClampedArray, isUint16Array, isUint32Array, isInt8Array, isInt16Array, isInt32Array, isFloat32Array,
  isFloat64Array, isBigInt64Array, isBigUint64Array, isDataView, isDate, isRegExp, isMap, isSet, isWeakMap,
  isWeakSet, isPromise, isMapIterator, isSetIterator, isGeneratorObject, isAsyncFunction, isGeneratorFunction,
  isNativeError, isBoxedPrimitive, isNumberObject, isStringObject, isBooleanObject, isBigIntObject,
  isSymbolObject, isArgumentsObject, isProxy, isExternal, isModuleNamespaceObject, isKeyObject, isCryptoKey,
};
