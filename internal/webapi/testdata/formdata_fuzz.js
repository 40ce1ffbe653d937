// Randomized test of the multipart/form-data parser: mutated bodies and
// content types must parse or fail with a TypeError, never anything else
// (no RangeError, no hang, no internal error). Seeded, so failures repeat.

let seed = 0x2545f491;
const rand = (n) => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
};

const enc = new TextEncoder();
const seeds = [
  '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--B\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nfile\r\ncontent\r\n--B--\r\n',
  "pre\n--B\ncontent-disposition: form-data; name=a; filename*=UTF-8''%C3%A9\n\n\n--B--",
  '--B\r\nContent-Disposition: form-data; name="\\"q\\""\r\nX: y\r\n folded\r\n\r\n--B\r\n\r\n--B--',
];
const alphabet = enc.encode("\r\n-B;=\"'* :\\%abcdefghijklmnopqrstuvwxyzContent-Disposition:form-data;name=filename=\u00e9\u0000");

function mutate(u8) {
  let b = Array.from(u8);
  const ops = 1 + rand(4);
  for (let k = 0; k < ops; k++) {
    const at = rand(b.length + 1);
    switch (rand(5)) {
      case 0: b.splice(at, 1 + rand(8)); break;
      case 1: { const ins = []; for (let i = rand(6) + 1; i > 0; i--) ins.push(alphabet[rand(alphabet.length)]); b.splice(at, 0, ...ins); break; }
      case 2: b.length = at; break;
      case 3: { const from = rand(b.length + 1); b.splice(at, 0, ...b.slice(from, from + 1 + rand(20))); break; }
      case 4: if (b.length) b[rand(b.length)] = rand(256); break;
    }
  }
  return new Uint8Array(b);
}

const types = [
  "multipart/form-data; boundary=B", 'multipart/form-data; boundary="B"', "multipart/form-data;boundary=B;charset=x",
  "multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary="B', "multipart/form-data; boundary=B; x",
  "multipart/form-data; =B", "multipart/form-data; boundary=\u00e9",
];

test("mutated multipart bodies throw only TypeError", async () => {
  let parsed = 0, rejected = 0;
  for (let i = 0; i < 2000; i++) {
    const base = enc.encode(seeds[rand(seeds.length)]);
    const body = rand(10) === 0 ? base : mutate(base);
    const ct = types[rand(10) < 7 ? rand(3) : rand(types.length)];
    try {
      const fd = await new Response(body, { headers: { "content-type": ct } }).formData();
      for (const [k, v] of fd) {
        if (typeof k !== "string") throw new Error("name not a string");
        if (typeof v !== "string" && !(v instanceof File)) throw new Error("value not string/File");
      }
      parsed++;
    } catch (e) {
      if (!(e instanceof TypeError)) {
        throw new Error(`case ${i}: ${e && e.name}: ${e && e.message}\nbody=${JSON.stringify(new TextDecoder().decode(body))} ct=${ct}`);
      }
      rejected++;
    }
  }
  assert(parsed > 100, `some parsed (${parsed})`);
  assert(rejected > 100, `some rejected (${rejected})`);
});

test("random bytes throw only TypeError", async () => {
  for (let i = 0; i < 500; i++) {
    const body = new Uint8Array(rand(200));
    for (let j = 0; j < body.length; j++) body[j] = rand(4) === 0 ? alphabet[rand(alphabet.length)] : rand(256);
    try {
      await new Response(body, { headers: { "content-type": "multipart/form-data; boundary=B" } }).formData();
    } catch (e) {
      if (!(e instanceof TypeError)) throw new Error(`case ${i}: ${e}`);
    }
  }
});
