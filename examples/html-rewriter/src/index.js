// Rewrites HTML on its way out with HTMLRewriter (the Workers streaming HTML
// rewriter): script injection, link rewriting, A/B variants, element removal.

class Links {
  constructor(origin) {
    this.origin = origin;
  }
  element(a) {
    const href = a.getAttribute("href");
    if (href && href.startsWith("/")) a.setAttribute("href", this.origin + href);
  }
}

function rewriter(variant, origin) {
  const comments = [];
  return new HTMLRewriter()
    .on("head", { element(e) { e.append('<script src="/analytics.js" defer></script>', { html: true }); } })
    .on("a[href]", new Links(origin))
    .on("h1.title", {
      async element(e) {
        // an async handler: the rewriter waits for it
        await scheduler.wait(1);
        e.setAttribute("data-variant", variant);
        if (variant === "B") e.setInnerContent("Hello, <B> visitor");
      },
    })
    .on("div.tracking", { element(e) { e.remove(); } })
    .onDocument({
      comments(c) { comments.push(c.text.trim()); c.remove(); },
      end(end) { end.append(`<!-- removed: ${comments.join(", ")} -->`, { html: true }); },
    });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const variant = (request.headers.get("Cookie") || "").includes("variant=B") ? "B" : "A";
    if (url.pathname === "/generated") {
      // a page produced piece by piece, rewritten as it streams
      const n = Number(url.searchParams.get("rows") || "3");
      const enc = new TextEncoder();
      let i = 0;
      const body = new ReadableStream({
        pull(c) {
          if (i === 0) c.enqueue(enc.encode("<html><head></head><body><ul>"));
          if (i < n) c.enqueue(enc.encode(`<li><a href="/item/${i}">item ${i}</a></li>`));
          else {
            c.enqueue(enc.encode("</ul></body></html>"));
            c.close();
          }
          i++;
        },
      });
      return rewriter(variant, url.origin).transform(new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } }));
    }
    const res = await env.ASSETS.fetch(request);
    if (!(res.headers.get("content-type") || "").startsWith("text/html")) return res;
    return rewriter(variant, url.origin).transform(res);
  },
};
