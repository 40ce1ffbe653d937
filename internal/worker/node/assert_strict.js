// node:assert/strict — assert's strict mode: equal is strictEqual, and so on.
import { strict } from "node:assert";
export const { AssertionError, ok, fail, match, doesNotMatch, ifError, throws, doesNotThrow, rejects, doesNotReject,
  equal, notEqual, deepEqual, notDeepEqual, strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual } = strict;
export { strict };
export default strict;
