import crypto from 'node:crypto'
import { AsyncLocalStorage } from 'node:async_hooks'
import { Buffer } from 'node:buffer'

interface Env {
  CLOUDINARY_API_SECRET: string
  STRIPE_WEBHOOK_SECRET: string
}

const requestId = new AsyncLocalStorage<string>()

function log(message: string): string {
  return `[${requestId.getStore() ?? 'none'}] ${message}`
}

// The guide's CloudinaryService.generateSignature, unchanged.
function generateSignature(params: Record<string, any>, apiSecret: string): string {
  const sortedParams = Object.keys(params)
    .sort()
    .map(key => `${key}=${params[key]}`)
    .join('&')

  return crypto
    .createHash('sha256')
    .update(sortedParams + apiSecret)
    .digest('hex')
}

// What stripe.webhooks.constructEvent checks: the "Stripe-Signature" header
// "t=TIMESTAMP,v1=HEX" is HMAC-SHA256(secret, "TIMESTAMP.payload").
function verifyStripeSignature(payload: string, header: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map(p => p.split('=') as [string, string]))
  const expected = crypto.createHmac('sha256', secret).update(`${parts.t}.${payload}`, 'utf8').digest('hex')
  const given = Buffer.from(parts.v1 ?? '', 'hex')
  const want = Buffer.from(expected, 'hex')
  return given.length === want.length && crypto.timingSafeEqual(given, want)
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    return requestId.run(crypto.randomUUID(), async () => {
      if (url.pathname === '/sign') {
        const params = Object.fromEntries(url.searchParams)
        return Response.json({ signature: generateSignature(params, process.env.CLOUDINARY_API_SECRET!) })
      }
      if (url.pathname === '/webhook' && request.method === 'POST') {
        const body = await request.text()
        const id = requestId.getStore()
        if (!verifyStripeSignature(body, request.headers.get('stripe-signature') ?? '', env.STRIPE_WEBHOOK_SECRET)) {
          return new Response('Invalid signature', { status: 400 })
        }
        await new Promise(r => setTimeout(r, 5))
        return Response.json({ received: JSON.parse(body).type, sameRequest: requestId.getStore() === id, log: log('handled') })
      }
      if (url.pathname === '/buffer') {
        const b = Buffer.from(await request.arrayBuffer())
        return Response.json({ base64: b.toString('base64'), hex: b.toString('hex'), utf8: b.toString(), isBuffer: Buffer.isBuffer(b) })
      }
      return new Response('Not Found', { status: 404 })
    })
  },
}
