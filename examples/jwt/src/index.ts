// JWT authentication three ways:
//   - hono/jwt: POST /login signs an HS256 token, GET /api/me verifies it;
//   - jose, as in the guide's Clerk middleware (L6881-6921): GET /clerk/me
//     verifies an RS256 or ES256 token against a remote JWKS;
//   - crypto.subtle by hand, as the guide's Auth0 class does: GET /subtle/me.
import { Hono } from 'hono'
import { jwt, sign } from 'hono/jwt'
import { createRemoteJWKSet, jwtVerify } from 'jose'

type Bindings = {
  JWT_SECRET: string
  JWT_ISSUER: string
  JWKS_URL: string
}

const app = new Hono<{ Bindings: Bindings }>()

app.post('/login', async (c) => {
  const { user } = await c.req.json<{ user: string }>()
  if (!user) return c.json({ error: 'user is required' }, 400)
  const now = Math.floor(Date.now() / 1000)
  const token = await sign({ sub: user, role: 'member', iat: now, exp: now + 3600 }, c.env.JWT_SECRET)
  return c.json({ token })
})

app.use('/api/*', (c, next) => jwt({ secret: c.env.JWT_SECRET, alg: 'HS256' })(c, next))

app.get('/api/me', (c) => {
  const payload = c.get('jwtPayload')
  return c.json({ sub: payload.sub, role: payload.role })
})

// One remote key set per JWKS URL, kept in module state as jose intends.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>()

app.get('/clerk/me', async (c) => {
  const token = c.req.header('Authorization')?.replace('Bearer ', '')
  if (!token) {
    return c.json({ error: 'No token provided' }, 401)
  }
  let JWKS = keySets.get(c.env.JWKS_URL)
  if (!JWKS) {
    JWKS = createRemoteJWKSet(new URL(c.env.JWKS_URL))
    keySets.set(c.env.JWKS_URL, JWKS)
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(token, JWKS, {
      issuer: c.env.JWT_ISSUER,
    })
    return c.json({ sub: payload.sub, alg: protectedHeader.alg })
  } catch (error) {
    return c.json({ error: 'Invalid token', reason: String(error) }, 401)
  }
})

function b64urlToBytes(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)
  return Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))
}

const algorithms: Record<string, { import: any; verify: any }> = {
  RS256: {
    import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    verify: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ES256: {
    import: { name: 'ECDSA', namedCurve: 'P-256' },
    verify: { name: 'ECDSA', hash: 'SHA-256' },
  },
}

app.get('/subtle/me', async (c) => {
  const token = c.req.header('Authorization')?.replace('Bearer ', '') ?? ''
  const [h, p, s] = token.split('.')
  if (!h || !p || !s) return c.json({ error: 'Malformed token' }, 401)
  const header = JSON.parse(new TextDecoder().decode(b64urlToBytes(h)))
  const alg = algorithms[header.alg]
  if (!alg) return c.json({ error: `Unsupported alg ${header.alg}` }, 401)
  const jwks = await (await fetch(c.env.JWKS_URL)).json<{ keys: any[] }>()
  const jwk = jwks.keys.find((k) => k.kid === header.kid)
  if (!jwk) return c.json({ error: 'Unknown key' }, 401)
  const key = await crypto.subtle.importKey('jwk', jwk, alg.import, false, ['verify'])
  const ok = await crypto.subtle.verify(alg.verify, key, b64urlToBytes(s), new TextEncoder().encode(`${h}.${p}`))
  if (!ok) return c.json({ error: 'Invalid signature' }, 401)
  const payload = JSON.parse(new TextDecoder().decode(b64urlToBytes(p)))
  if (payload.iss !== c.env.JWT_ISSUER) return c.json({ error: 'Wrong issuer' }, 401)
  if (typeof payload.exp === 'number' && payload.exp < Date.now() / 1000) return c.json({ error: 'Expired' }, 401)
  return c.json({ sub: payload.sub, alg: header.alg })
})

export default app
