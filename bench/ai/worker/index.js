// /plain: no AI call (the worker's own cost); /run: one text generation;
// /stream: the event stream passed straight to the client; /transform: the
// stream read in JavaScript and re-emitted through a TransformStream (the
// guide's streaming pattern).
export default {
  async fetch(request, env) {
    const path = new URL(request.url).pathname;
    if (path === "/plain") return Response.json({ response: "Echo: hello." });
    if (path === "/run") {
      const r = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: "hello", max_tokens: 16 });
      return Response.json(r);
    }
    if (path === "/stream") {
      const s = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: "one two three four five six", stream: true });
      return new Response(s, { headers: { "content-type": "text/event-stream" } });
    }
    if (path === "/transform") {
      const s = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: "one two three four five six", stream: true });
      const { readable, writable } = new TransformStream();
      (async () => {
        const w = writable.getWriter();
        for await (const chunk of s) await w.write(chunk);
        await w.close();
      })();
      return new Response(readable, { headers: { "content-type": "text/event-stream" } });
    }
    return new Response("not found", { status: 404 });
  },
};
