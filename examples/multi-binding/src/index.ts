// The guide's multi-binding handler (L747-781) without the queue: the
// QUEUE binding and its send() are left out (zerostack has no queues yet),
// and so are the AI and VECTORIZE bindings the handler declares but never
// uses. Everything else is unchanged.
interface Env {
  DB: D1Database              // SQL database
  KV: KVNamespace            // Key-value store
  BUCKET: R2Bucket           // Object storage
}

export default {
  async fetch(request: Request, env: Env) {
    // Query database
    const users = await env.DB
      .prepare('SELECT * FROM users WHERE active = ?')
      .bind(true)
      .all()
    
    // Cache in KV
    await env.KV.put('active_users', JSON.stringify(users), {
      expirationTtl: 3600
    })
    
    // Store files in R2
    const file = await request.blob()
    await env.BUCKET.put(`uploads/${Date.now()}`, file)
    
    return Response.json({ success: true })
  }
}
