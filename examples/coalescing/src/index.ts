// Request coalescing (guide L952-980). The guide's fetcher reads D1
// (env.DB.prepare('SELECT * FROM users').all()); until the D1 binding exists
// this example's fetcher is a slow upstream call instead, which shows the
// same thing: concurrent requests within 5 s share one fetch, because
// module state lives as long as the isolate.
const cache = new Map()

let upstreamCalls = 0

async function fetchWithCoalescing(key: string, fetcher: () => Promise<any>) {
  if (cache.has(key)) {
    return cache.get(key)
  }
  
  const promise = fetcher()
  cache.set(key, promise)
  
  try {
    const result = await promise
    setTimeout(() => cache.delete(key), 5000) // Cache for 5 seconds
    return result
  } catch (error) {
    cache.delete(key)
    throw error
  }
}

export default {
  async fetch(request: Request, env: Env) {
    const data = await fetchWithCoalescing('users', async () => {
      upstreamCalls++
      await new Promise((resolve) => setTimeout(resolve, 200))
      return { results: [{ id: 1, name: 'Ada' }], upstreamCalls }
    })
    
    return Response.json(data)
  }
}
