// The guide's RESTful API with validation (L1275-1430), unchanged, plus
// the Bindings type and default export the guide leaves out, and one route
// that validates with @hono/zod-validator instead of hono/validator.
import { Hono } from 'hono'
import { validator } from 'hono/validator'
import { z } from 'zod'
import { zValidator } from '@hono/zod-validator'

type Bindings = {
  DB: D1Database
}

const app = new Hono<{ Bindings: Bindings }>()

// Validation schemas
const CreateUserSchema = z.object({
  email: z.string().email(),
  name: z.string().min(2).max(100),
  role: z.enum(['user', 'admin']).default('user')
})

const UpdateUserSchema = CreateUserSchema.partial()

// User routes
const users = new Hono<{ Bindings: Bindings }>()

users.get('/', async (c) => {
  const { page = '1', limit = '10', search } = c.req.query()
  
  let query = 'SELECT * FROM users WHERE 1=1'
  const params: any[] = []
  
  if (search) {
    query += ' AND (name LIKE ? OR email LIKE ?)'
    params.push(`%${search}%`, `%${search}%`)
  }
  
  query += ' LIMIT ? OFFSET ?'
  params.push(parseInt(limit), (parseInt(page) - 1) * parseInt(limit))
  
  const result = await c.env.DB
    .prepare(query)
    .bind(...params)
    .all()
  
  const total = await c.env.DB
    .prepare('SELECT COUNT(*) as count FROM users')
    .first()
  
  return c.json({
    users: result.results,
    pagination: {
      page: parseInt(page),
      limit: parseInt(limit),
      total: total?.count || 0,
      pages: Math.ceil((total?.count || 0) / parseInt(limit))
    }
  })
})

users.post('/', 
  validator('json', (value, c) => {
    const parsed = CreateUserSchema.safeParse(value)
    if (!parsed.success) {
      return c.json({ errors: parsed.error.flatten() }, 400)
    }
    return parsed.data
  }),
  async (c) => {
    const data = c.req.valid('json')
    
    try {
      const result = await c.env.DB
        .prepare('INSERT INTO users (email, name, role) VALUES (?, ?, ?)')
        .bind(data.email, data.name, data.role)
        .run()
      
      const user = await c.env.DB
        .prepare('SELECT * FROM users WHERE id = ?')
        .bind(result.meta.last_row_id)
        .first()
      
      return c.json(user, 201)
    } catch (error: any) {
      if (error.message.includes('UNIQUE constraint')) {
        return c.json({ error: 'Email already exists' }, 409)
      }
      throw error
    }
  }
)

users.get('/:id', async (c) => {
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

users.patch('/:id',
  validator('json', (value, c) => {
    const parsed = UpdateUserSchema.safeParse(value)
    if (!parsed.success) {
      return c.json({ errors: parsed.error.flatten() }, 400)
    }
    return parsed.data
  }),
  async (c) => {
    const id = c.req.param('id')
    const updates = c.req.valid('json')
    
    // Build dynamic update query
    const fields = Object.keys(updates)
    const values = Object.values(updates)
    
    if (fields.length === 0) {
      return c.json({ error: 'No fields to update' }, 400)
    }
    
    const setClause = fields.map(f => `${f} = ?`).join(', ')
    
    const result = await c.env.DB
      .prepare(`UPDATE users SET ${setClause} WHERE id = ?`)
      .bind(...values, id)
      .run()
    
    if (result.meta.changes === 0) {
      return c.json({ error: 'User not found' }, 404)
    }
    
    const updated = await c.env.DB
      .prepare('SELECT * FROM users WHERE id = ?')
      .bind(id)
      .first()
    
    return c.json(updated)
  }
)

users.delete('/:id', async (c) => {
  const id = c.req.param('id')
  
  const result = await c.env.DB
    .prepare('DELETE FROM users WHERE id = ?')
    .bind(id)
    .run()
  
  if (result.meta.changes === 0) {
    return c.json({ error: 'User not found' }, 404)
  }
  
  return c.json({ message: 'User deleted' })
})

// Mount routes
app.route('/api/users', users)

// The same schema through @hono/zod-validator: a dry run of POST /api/users.
app.post('/api/users/validate', zValidator('json', CreateUserSchema), (c) => {
  return c.json({ valid: true, user: c.req.valid('json') })
})

export default app
