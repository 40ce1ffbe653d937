// The guide's Vectorize quick start (L4249-4290), unchanged.
interface Env {
  VECTORIZE: VectorizeIndex
  AI: Ai
}

export default {
  async fetch(request: Request, env: Env) {
    // Generate embedding
    const text = "What is the best laptop for programming?"
    const embedResponse = await env.AI.run('@cf/baai/bge-base-en-v1.5', {
      text: [text]
    })
    const embedding = embedResponse.data[0]
    
    // Store vector with metadata
    await env.VECTORIZE.insert([
      {
        id: 'doc-1',
        values: embedding,
        metadata: {
          title: 'Best Programming Laptops 2024',
          category: 'technology',
          url: '/blog/best-laptops-2024'
        }
      }
    ])
    
    // Search similar vectors
    const results = await env.VECTORIZE.query(embedding, {
      topK: 5,
      filter: { category: 'technology' }
    })
    
    return Response.json({
      query: text,
      results: results.matches.map(match => ({
        score: match.score,
        ...match.metadata
      }))
    })
  }
}
