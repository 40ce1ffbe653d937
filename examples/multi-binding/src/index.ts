// The guide's multi-binding handler (L747-781). The AI and VECTORIZE
// bindings it declares but never uses are left out of wrangler.toml;
// everything else is unchanged.
interface Env {
  DB: D1Database              // SQL database
  KV: KVNamespace            // Key-value store
  BUCKET: R2Bucket           // Object storage
  QUEUE: Queue               // Message queue
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
    
    // Queue background job
    await env.QUEUE.send({ 
      type: 'process_upload',
      timestamp: Date.now() 
    })
    
    return Response.json({ success: true })
  }
}
