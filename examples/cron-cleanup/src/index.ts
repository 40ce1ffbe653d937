// The guide's Cron Trigger (L870-889), unchanged, plus what it leaves out:
// calculateDailyStats (undefined in the guide) and a fetch handler to seed
// sessions and read the stats, so the example can be driven over HTTP.
export default {
  async scheduled(event: ScheduledEvent, env: Env) {
    // Clean up old sessions
    const yesterday = Date.now() - 86400000
    await env.DB
      .prepare('DELETE FROM sessions WHERE created_at < ?')
      .bind(yesterday)
      .run()
      
    // Generate reports
    const stats = await calculateDailyStats(env)
    await env.KV.put('daily_stats', JSON.stringify(stats))
  },

  async fetch(request: Request, env: Env) {
    const url = new URL(request.url)
    if (url.pathname === '/seed' && request.method === 'POST') {
      // The guide never shows the sessions table; created_at holds
      // Date.now() milliseconds, as its DELETE compares it with one.
      await env.DB.prepare(
        'CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL)'
      ).run()
      const { id, ageHours } = await request.json<{ id: string; ageHours: number }>()
      await env.DB.prepare('INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)')
        .bind(id, 'user-' + id, Date.now() - ageHours * 3600000)
        .run()
      return new Response('seeded', { status: 201 })
    }
    if (url.pathname === '/stats') {
      return Response.json(await env.KV.get('daily_stats', 'json'))
    }
    return new Response('Not Found', { status: 404 })
  },
}

// calculateDailyStats is not defined in the guide: count the sessions left
// and when the report ran.
async function calculateDailyStats(env: Env) {
  const row = await env.DB.prepare('SELECT COUNT(*) AS sessions FROM sessions').first<{ sessions: number }>()
  return { sessions: row?.sessions ?? 0, generatedAt: new Date().toISOString() }
}
