interface Env {
  JOBS: Queue
  DB: D1Database
  RECORD: string
}

const schema = 'CREATE TABLE IF NOT EXISTS processed (seq INTEGER NOT NULL, msg_id TEXT NOT NULL, attempts INTEGER NOT NULL)'
let counted = 0
let firstAt = 0
let lastAt = 0

export default {
  async fetch(request: Request, env: Env) {
    const url = new URL(request.url)
    if (url.pathname === '/produce') {
      const count = Number(url.searchParams.get('count') ?? '100')
      const start = Number(url.searchParams.get('start') ?? '0')
      const sentAt = url.searchParams.get('stamp') !== null
      for (let i = 0; i < count; i += 100) {
        const batch = []
        for (let j = i; j < Math.min(count, i + 100); j++) {
          batch.push({ body: { seq: start + j, sentAt: sentAt ? Date.now() : 0 }, contentType: 'json' as const })
        }
        await env.JOBS.sendBatch(batch)
      }
      return Response.json({ sent: count })
    }
    if (url.pathname === '/stats') {
      if (env.RECORD !== 'd1') return Response.json({ processed: counted, firstAt, lastAt })
      await env.DB.prepare(schema).run()
      const row = await env.DB.prepare('SELECT count(*) AS total, count(DISTINCT seq) AS distinct_seqs FROM processed').first()
      return Response.json(row)
    }
    return new Response('POST /produce?count=N, GET /stats', { status: 404 })
  },

  async queue(batch: MessageBatch<{ seq: number; sentAt: number }>, env: Env) {
    if (env.RECORD !== 'd1') {
      const now = Date.now()
      if (firstAt === 0) firstAt = now
      lastAt = now
      counted += batch.messages.length
      for (const m of batch.messages) {
        if (m.body.sentAt) console.log(`latency ${now - m.body.sentAt}`)
      }
      batch.ackAll()
      return
    }
    await env.DB.prepare(schema).run()
    await env.DB.batch(batch.messages.map((m) =>
      env.DB.prepare('INSERT INTO processed (seq, msg_id, attempts) VALUES (?, ?, ?)').bind(m.body.seq, m.id, m.attempts)))
    batch.ackAll()
  }
}
