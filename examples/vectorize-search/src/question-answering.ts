// The guide's question answering system (L4786-4889), unchanged.
export class QuestionAnsweringSystem {
  constructor(
    private vectorize: VectorizeIndex,
    private ai: Ai,
    private kv: KVNamespace
  ) {}
  
  async answerQuestion(question: string): Promise<{
    answer: string
    sources: Array<{ title: string; url: string; relevance: number }>
    confidence: number
  }> {
    // Check cache first
    const cacheKey = `qa:${await this.hashQuestion(question)}`
    const cached = await this.kv.get(cacheKey, 'json')
    
    if (cached) {
      return cached
    }
    
    // Generate question embedding
    const questionEmbedding = await this.ai.run('@cf/baai/bge-base-en-v1.5', {
      text: [question]
    })
    
    // Find relevant documents
    const searchResults = await this.vectorize.query(questionEmbedding.data[0], {
      topK: 5,
      filter: { type: 'faq' }
    })
    
    // Extract context from top matches
    const context = searchResults.matches
      .map(match => match.metadata.text)
      .join('\n\n')
    
    // Generate answer using LLM
    const answerResponse = await this.ai.run('@cf/meta/llama-2-7b-chat-int8', {
      prompt: `Based on the following context, answer the question concisely and accurately.
      
Context:
${context}

Question: ${question}

Answer:`,
      max_tokens: 150
    })
    
    // Calculate confidence based on vector similarity scores
    const avgScore = searchResults.matches.reduce((sum, m) => sum + m.score, 0) / searchResults.matches.length
    const confidence = Math.min(avgScore * 100, 95)
    
    const result = {
      answer: answerResponse.response,
      sources: searchResults.matches.map(match => ({
        title: match.metadata.title,
        url: match.metadata.url,
        relevance: match.score
      })),
      confidence
    }
    
    // Cache the result
    await this.kv.put(cacheKey, JSON.stringify(result), {
      expirationTtl: 3600 // 1 hour
    })
    
    return result
  }
  
  async indexFAQ(faq: {
    question: string
    answer: string
    category: string
    url: string
  }): Promise<void> {
    // Combine question and answer for richer embedding
    const text = `Question: ${faq.question}\nAnswer: ${faq.answer}`
    
    const embedding = await this.ai.run('@cf/baai/bge-base-en-v1.5', {
      text: [text]
    })
    
    await this.vectorize.insert([{
      id: crypto.randomUUID(),
      values: embedding.data[0],
      metadata: {
        type: 'faq',
        title: faq.question,
        text: faq.answer,
        category: faq.category,
        url: faq.url
      }
    }])
  }
  
  private async hashQuestion(question: string): Promise<string> {
    const encoder = new TextEncoder()
    const data = encoder.encode(question.toLowerCase().trim())
    const hashBuffer = await crypto.subtle.digest('SHA-256', data)
    return btoa(String.fromCharCode(...new Uint8Array(hashBuffer)))
  }
}
