// The guide's basic Hono application (L1232-1269) and error handling
// (L1719-1753). The guide leaves logError undefined and never uses
// ValidationException; both are filled in here so the file runs, and a few
// routes exercise them.
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import { logger } from 'hono/logger'
import { HTTPException } from 'hono/http-exception'

// Type-safe environment bindings
type Bindings = {
  DB: D1Database
  KV: KVNamespace
  BUCKET: R2Bucket
  AI: Ai
  DEBUG?: string
}

const app = new Hono<{ Bindings: Bindings }>()

// Middleware
app.use('*', logger())
app.use('/api/*', cors())

// Routes
app.get('/', (c) => {
  return c.text('Hello Hono!')
})

app.get('/api/hello/:name', (c) => {
  return c.json({ message: `Hello, ${c.req.param('name')}!` })
})

app.get('/api/users/:id', async (c) => {
  const id = c.req.param('id')
  const user = await c.env.DB
    .prepare('SELECT * FROM users WHERE id = ?')
    .bind(id)
    .first()
  
  if (!user) {
    return c.json({ error: 'User not found' }, 404)
  }
  
  return c.json(user)
})

app.get('/api/boom', () => {
  throw new Error('Something broke')
})

app.get('/api/admin', () => {
  throw new HTTPException(403, { message: 'Forbidden' })
})

app.post('/api/validate', async (c) => {
  const body = await c.req.json<{ email?: string }>()
  if (!body.email || !body.email.includes('@')) {
    throw new ValidationException([{ field: 'email', message: 'must be an email address' }])
  }
  return c.json({ ok: true, email: body.email })
})

// The guide calls logError without defining it: log to the console.
async function logError(env: Bindings, entry: Record<string, unknown>) {
  console.error('logged error', JSON.stringify(entry))
}

// Global error handler
app.onError((err, c) => {
  console.error(`${err}`)
  
  if (err instanceof HTTPException) {
    return err.getResponse()
  }
  
  // Log to external service
  c.executionCtx.waitUntil(
    logError(c.env, {
      error: err.message,
      stack: err.stack,
      url: c.req.url,
      method: c.req.method,
      timestamp: Date.now()
    })
  )
  
  return c.json({
    error: 'Internal Server Error',
    message: c.env.DEBUG ? err.message : undefined
  }, 500)
})

// 404 handler
app.notFound((c) => {
  return c.json({
    error: 'Not Found',
    path: c.req.path
  }, 404)
})

// Custom exceptions
class ValidationException extends HTTPException {
  errors: any
  constructor(errors: any) {
    super(400, { message: 'Validation failed' })
    this.errors = errors
  }
  getResponse() {
    return new Response(JSON.stringify({ error: this.message, errors: this.errors }), {
      status: 400,
      headers: { 'Content-Type': 'application/json' },
    })
  }
}

export default app
