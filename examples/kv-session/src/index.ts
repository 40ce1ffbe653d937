// The guide's KV session management (L2638-2716), unchanged except for the
// Env interface, which the guide declares in its basic-operations snippet.
interface Env {
  SESSIONS: KVNamespace
}

interface Session {
  userId: string
  createdAt: number
  data: Record<string, any>
}

export class SessionManager {
  constructor(private kv: KVNamespace) {}
  
  async create(userId: string): Promise<string> {
    const sessionId = crypto.randomUUID()
    const session: Session = {
      userId,
      createdAt: Date.now(),
      data: {}
    }
    
    await this.kv.put(
      `session:${sessionId}`,
      JSON.stringify(session),
      { expirationTtl: 86400 } // 24 hours
    )
    
    return sessionId
  }
  
  async get(sessionId: string): Promise<Session | null> {
    return await this.kv.get(`session:${sessionId}`, 'json')
  }
  
  async update(sessionId: string, data: Record<string, any>) {
    const session = await this.get(sessionId)
    if (!session) throw new Error('Session not found')
    
    session.data = { ...session.data, ...data }
    
    await this.kv.put(
      `session:${sessionId}`,
      JSON.stringify(session),
      { expirationTtl: 86400 }
    )
  }
  
  async destroy(sessionId: string) {
    await this.kv.delete(`session:${sessionId}`)
  }
}

// Usage in Worker
export default {
  async fetch(request: Request, env: Env) {
    const sessions = new SessionManager(env.SESSIONS)
    
    // Create session on login
    if (request.url.includes('/login')) {
      const sessionId = await sessions.create('user123')
      
      return new Response('Logged in', {
        headers: {
          'Set-Cookie': `session=${sessionId}; HttpOnly; Secure; SameSite=Strict`
        }
      })
    }
    
    // Check session
    const cookie = request.headers.get('Cookie')
    const sessionId = cookie?.match(/session=([^;]+)/)?.[1]
    
    if (sessionId) {
      const session = await sessions.get(sessionId)
      if (session) {
        // User is authenticated
        return Response.json({ user: session.userId })
      }
    }
    
    return new Response('Not authenticated', { status: 401 })
  }
}
