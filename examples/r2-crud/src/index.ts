// The guide's R2 basic operations (L3355-3392), unchanged.
interface Env {
  BUCKET: R2Bucket
}

export default {
  async fetch(request: Request, env: Env) {
    const url = new URL(request.url)
    const key = url.pathname.slice(1)
    
    switch (request.method) {
      case 'GET':
        const object = await env.BUCKET.get(key)
        
        if (!object) {
          return new Response('Object Not Found', { status: 404 })
        }
        
        const headers = new Headers()
        object.writeHttpMetadata(headers)
        headers.set('etag', object.httpEtag)
        
        return new Response(object.body, { headers })
      
      case 'PUT':
        await env.BUCKET.put(key, request.body, {
          httpMetadata: request.headers
        })
        return new Response('Created', { status: 201 })
      
      case 'DELETE':
        await env.BUCKET.delete(key)
        return new Response('Deleted', { status: 204 })
      
      default:
        return new Response('Method Not Allowed', { status: 405 })
    }
  }
}
