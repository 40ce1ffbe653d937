// The guide's WebhookDelivery (L6301-6329), unchanged, as the consumer of
// the "webhooks" queue. The fetch handler (enqueue a webhook, list dead
// letters) and the consumer of "webhooks-dead" are written for the example.
interface Env {
  WEBHOOKS: Queue
  DEAD_LETTER: Queue
  KV: KVNamespace
}

// Webhook delivery with retries
export class WebhookDelivery {
  async queue(batch: MessageBatch<any>, env: Env) {
    for (const message of batch.messages) {
      const webhook = message.body
      
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(webhook.payload)
        })
        
        if (response.ok) {
          message.ack()
        } else if (webhook.attemptCount < 5) {
          // Exponential backoff
          const delay = Math.pow(2, webhook.attemptCount) * 1000
          message.retry({ delaySeconds: delay / 1000 })
        } else {
          // Max attempts reached, dead letter
          await env.DEAD_LETTER.send(webhook)
          message.ack()
        }
      } catch (error) {
        message.retry()
      }
    }
  }
}

export default {
  async fetch(request: Request, env: Env) {
    if (request.method === 'POST') {
      await env.WEBHOOKS.send(await request.json())
      return Response.json({ queued: true }, { status: 202 })
    }
    const list = await env.KV.list({ prefix: 'dead:' })
    const out = []
    for (const k of list.keys) out.push(await env.KV.get(k.name, 'json'))
    return Response.json(out)
  },

  async queue(batch: MessageBatch<any>, env: Env) {
    if (batch.queue === 'webhooks-dead') {
      for (const m of batch.messages) {
        await env.KV.put('dead:' + m.id, JSON.stringify(m.body))
      }
      return
    }
    await new WebhookDelivery().queue(batch, env)
  }
}
