// functions/api/[[catchall]].ts
import { Hono } from 'hono'

const app = new Hono()

app.get('/users', async (c) => {
  const users = await c.env.DB.prepare('SELECT * FROM users').all()
  return c.json(users)
})

export async function onRequest(context) {
  return app.fetch(context.request, context.env)
}
