// The guide's KV rate limiter (L2885-2957), unchanged except for the Env
// interface, which the guide declares in its basic-operations snippet.
interface Env {
  CACHE: KVNamespace
}

export class RateLimiter {
  constructor(
    private kv: KVNamespace,
    private config: {
      windowMs: number
      maxRequests: number
    }
  ) {}
  
  async check(identifier: string): Promise<{
    allowed: boolean
    remaining: number
    resetAt: number
  }> {
    const key = `rate:${identifier}`
    const now = Date.now()
    const windowStart = now - this.config.windowMs
    
    // Get current window data
    const data = await this.kv.get<{
      requests: Array<number>
    }>(key, 'json') || { requests: [] }
    
    // Filter out old requests
    data.requests = data.requests.filter(time => time > windowStart)
    
    const allowed = data.requests.length < this.config.maxRequests
    
    if (allowed) {
      data.requests.push(now)
      
      await this.kv.put(key, JSON.stringify(data), {
        expirationTtl: Math.ceil(this.config.windowMs / 1000)
      })
    }
    
    return {
      allowed,
      remaining: Math.max(0, this.config.maxRequests - data.requests.length),
      resetAt: windowStart + this.config.windowMs
    }
  }
}

// Usage
export default {
  async fetch(request: Request, env: Env) {
    const limiter = new RateLimiter(env.CACHE, {
      windowMs: 60000, // 1 minute
      maxRequests: 100
    })
    
    const ip = request.headers.get('CF-Connecting-IP') || 'unknown'
    const { allowed, remaining, resetAt } = await limiter.check(ip)
    
    if (!allowed) {
      return new Response('Rate limit exceeded', {
        status: 429,
        headers: {
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': new Date(resetAt).toISOString()
        }
      })
    }
    
    // Process request
    return new Response('OK', {
      headers: {
        'X-RateLimit-Remaining': remaining.toString()
      }
    })
  }
}
