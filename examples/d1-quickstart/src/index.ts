// The guide's D1 quick start worker (L2069-2100), unchanged.

interface Env {
  DB: D1Database
}

export default {
  async fetch(request: Request, env: Env) {
    // Insert data
    const user = await env.DB
      .prepare('INSERT INTO users (email, name) VALUES (?, ?) RETURNING *')
      .bind('[email protected]', 'John Doe')
      .first()
    
    // Query with prepared statements
    const posts = await env.DB
      .prepare(`
        SELECT p.*, u.name as author_name
        FROM posts p
        JOIN users u ON p.user_id = u.id
        WHERE p.published = ?
        ORDER BY p.created_at DESC
        LIMIT ?
      `)
      .bind(true, 10)
      .all()
    
    return Response.json({
      user,
      posts: posts.results
    })
  }
}
