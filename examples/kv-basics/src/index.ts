// The guide's KV basic operations (L2605-2632), unchanged.
interface Env {
  CACHE: KVNamespace
  SESSIONS: KVNamespace
  CONFIG: KVNamespace
}

export default {
  async fetch(request: Request, env: Env) {
    // Write data
    await env.CACHE.put('user:123', JSON.stringify({
      name: 'John Doe',
      email: '[email protected]'
    }), {
      expirationTtl: 3600 // 1 hour
    })
    
    // Read data
    const user = await env.CACHE.get('user:123', 'json')
    
    // Delete data
    await env.CACHE.delete('user:123')
    
    // List keys
    const list = await env.CACHE.list({ prefix: 'user:' })
    
    return Response.json({ user, keys: list.keys })
  }
}
