// Routes to the guide's Vectorize programs (L4249-4889). The programs are
// unchanged in the other files; this file only gives each an HTTP front.
import quickstart from './quickstart'
import { DocumentSearch } from './document-search'
import { RecommendationEngine } from './recommendations'
import { QuestionAnsweringSystem } from './question-answering'

interface Env {
  VECTORIZE: VectorizeIndex
  DOCS_INDEX: VectorizeIndex
  PRODUCTS_INDEX: VectorizeIndex
  FAQ_INDEX: VectorizeIndex
  AI: Ai
  DB: D1Database
  KV: KVNamespace
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    const path = url.pathname
    const q = url.searchParams
    try {
      if (path === '/quickstart') {
        return await quickstart.fetch(request, env)
      }

      // Semantic document search (D1 keeps the documents).
      const docs = new DocumentSearch(env.DOCS_INDEX, env.AI, env.DB)
      if (path === '/documents' && request.method === 'POST') {
        await docs.indexDocument(await request.json())
        return Response.json({ indexed: true }, { status: 201 })
      }
      if (path === '/documents/search') {
        const filter = q.get('category') ? { category: q.get('category') } : undefined
        const results = await docs.search(q.get('q') || '', {
          limit: Number(q.get('limit') || 10),
          filter
        })
        return Response.json(results)
      }

      // Product recommendations (KV keeps each user's history).
      const recs = new RecommendationEngine(env.PRODUCTS_INDEX, env.AI, env.KV)
      if (path === '/products' && request.method === 'POST') {
        await recs.indexProduct(await request.json())
        return Response.json({ indexed: true }, { status: 201 })
      }
      let m = path.match(/^\/products\/([^/]+)\/similar$/)
      if (m) {
        const min = q.get('min'), max = q.get('max')
        const similar = await recs.getSimilarProducts(decodeURIComponent(m[1]), {
          limit: Number(q.get('limit') || 10),
          priceRange: min !== null && max !== null ? { min: Number(min), max: Number(max) } : undefined,
          category: q.get('category') || undefined
        })
        return Response.json(similar)
      }
      m = path.match(/^\/users\/([^/]+)\/history$/)
      if (m && request.method === 'PUT') {
        await env.KV.put(`user_history:${m[1]}`, JSON.stringify(await request.json()))
        return new Response(null, { status: 204 })
      }
      m = path.match(/^\/users\/([^/]+)\/recommendations$/)
      if (m) {
        return Response.json(await recs.getPersonalizedRecommendations(m[1], Number(q.get('limit') || 10)))
      }

      // Question answering over an FAQ (KV caches answers).
      const qa = new QuestionAnsweringSystem(env.FAQ_INDEX, env.AI, env.KV)
      if (path === '/faq' && request.method === 'POST') {
        await qa.indexFAQ(await request.json())
        return Response.json({ indexed: true }, { status: 201 })
      }
      if (path === '/answer') {
        return Response.json(await qa.answerQuestion(q.get('q') || ''))
      }
      return new Response('Not found', { status: 404 })
    } catch (err) {
      return Response.json({ error: (err as Error).message }, { status: 500 })
    }
  }
}
