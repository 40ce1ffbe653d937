// Response streaming (guide L982-1008) and Hono's SSE stream (L1859-1879).
//
// One change from the guide: it calls env.ctx.waitUntil, but on Cloudflare
// the execution context is fetch's third argument, not a property of env
// (guide INVENTORY §10 item 12), so this uses ctx.waitUntil. The event count
// and pacing come from the query string (?n=, ?ms=) so tests run quickly;
// the defaults are the guide's 100 events, 100 ms apart.
import { Hono } from 'hono'

const app = new Hono()

app.get('/stream', (c) => {
  const n = Number(c.req.query('n') ?? 100)
  const ms = Number(c.req.query('ms') ?? 100)
  const encoder = new TextEncoder()
  const stream = new ReadableStream({
    async start(controller) {
      for (let i = 0; i < n; i++) {
        controller.enqueue(
          encoder.encode(`data: Event ${i}\n\n`)
        )
        await new Promise(r => setTimeout(r, ms))
      }
      controller.close()
    }
  })
  
  return c.newResponse(stream, {
    headers: {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache'
    }
  })
})

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(request.url)
    if (url.pathname === '/stream') {
      return app.fetch(request, env, ctx)
    }
    const n = Number(url.searchParams.get('n') ?? 100)
    const ms = Number(url.searchParams.get('ms') ?? 100)

    const { readable, writable } = new TransformStream()
    const writer = writable.getWriter()
    
    // Start streaming immediately
    const response = new Response(readable, {
      headers: { 'Content-Type': 'text/event-stream' }
    })
    
    // Process in background
    const encoder = new TextEncoder()
    ctx.waitUntil(
      (async () => {
        for (let i = 0; i < n; i++) {
          await writer.write(encoder.encode(`data: Event ${i}\n\n`))
          await new Promise(resolve => setTimeout(resolve, ms))
        }
        writer.close()
      })()
    )
    
    return response
  }
}
