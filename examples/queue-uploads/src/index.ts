// The guide's producer (L6237-6250) and consumer (L6252-6264), joined into
// one worker. processMessage is left undefined, as in the guide: calling it
// throws a ReferenceError, so every message takes the retry path.
interface Env {
  QUEUE: Queue
  KV: KVNamespace
}

declare function processMessage(body: unknown, env: Env): Promise<void>

export default {
  async fetch(request: Request, env: Env) {
    const url = new URL(request.url)
    if (url.pathname === '/dead-letters') {
      // Written for the example: what reached the dead-letter queue.
      const list = await env.KV.list({ prefix: 'dlq:' })
      const out = []
      for (const k of list.keys) out.push(await env.KV.get(k.name, 'json'))
      return Response.json(out)
    }
    // Add message to queue
    await env.QUEUE.send({
      type: 'process_upload',
      fileId: url.searchParams.get('file') ?? 'abc123',
      userId: 'user456',
      timestamp: Date.now()
    })

    return Response.json({ status: 'queued' })
  },

  async queue(batch: MessageBatch<any>, env: Env) {
    if (batch.queue === 'uploads-dlq') {
      // Written for the example: record each dead letter with its history.
      for (const message of batch.messages) {
        await env.KV.put('dlq:' + message.id, JSON.stringify({ id: message.id, body: message.body, attempts: message.attempts }))
      }
      return
    }
    for (const message of batch.messages) {
      try {
        await processMessage(message.body, env)
        message.ack() // Acknowledge successful processing
      } catch (error) {
        message.retry() // Retry later
      }
    }
  }
}
