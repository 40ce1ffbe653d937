// The guide's semantic document search (L4296-4459), unchanged.
export class DocumentSearch {
  constructor(
    private vectorize: VectorizeIndex,
    private ai: Ai,
    private db: D1Database
  ) {}
  
  async indexDocument(doc: {
    id: string
    title: string
    content: string
    metadata?: Record<string, any>
  }): Promise<void> {
    // Split into chunks for better search
    const chunks = this.chunkText(doc.content, 500)
    const vectors: VectorizeVector[] = []
    
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]
      
      // Generate embedding
      const response = await this.ai.run('@cf/baai/bge-base-en-v1.5', {
        text: [chunk.text]
      })
      
      vectors.push({
        id: `${doc.id}-chunk-${i}`,
        values: response.data[0],
        metadata: {
          docId: doc.id,
          title: doc.title,
          chunkIndex: i,
          text: chunk.text,
          startOffset: chunk.start,
          endOffset: chunk.end,
          ...doc.metadata
        }
      })
    }
    
    // Store vectors
    await this.vectorize.insert(vectors)
    
    // Store document in database
    await this.db.prepare(`
      INSERT INTO documents (id, title, content, metadata, indexed_at)
      VALUES (?, ?, ?, ?, ?)
    `).bind(
      doc.id,
      doc.title,
      doc.content,
      JSON.stringify(doc.metadata || {}),
      new Date().toISOString()
    ).run()
  }
  
  async search(
    query: string,
    options: {
      limit?: number
      filter?: Record<string, any>
      includeContent?: boolean
    } = {}
  ): Promise<Array<{
    docId: string
    title: string
    score: number
    excerpt: string
    metadata: any
  }>> {
    // Generate query embedding
    const response = await this.ai.run('@cf/baai/bge-base-en-v1.5', {
      text: [query]
    })
    const queryEmbedding = response.data[0]
    
    // Search vectors
    const results = await this.vectorize.query(queryEmbedding, {
      topK: options.limit || 10,
      filter: options.filter
    })
    
    // Group by document and get best match per doc
    const docScores = new Map<string, any>()
    
    for (const match of results.matches) {
      const docId = match.metadata.docId
      
      if (!docScores.has(docId) || match.score > docScores.get(docId).score) {
        docScores.set(docId, {
          docId,
          title: match.metadata.title,
          score: match.score,
          excerpt: this.generateExcerpt(match.metadata.text, query),
          metadata: match.metadata
        })
      }
    }
    
    // Sort by score and return
    return Array.from(docScores.values())
      .sort((a, b) => b.score - a.score)
      .slice(0, options.limit || 10)
  }
  
  private chunkText(
    text: string,
    chunkSize: number
  ): Array<{ text: string; start: number; end: number }> {
    const chunks: Array<{ text: string; start: number; end: number }> = []
    const sentences = text.match(/[^.!?]+[.!?]+/g) || [text]
    
    let currentChunk = ''
    let currentStart = 0
    let currentPos = 0
    
    for (const sentence of sentences) {
      if (currentChunk.length + sentence.length > chunkSize && currentChunk) {
        chunks.push({
          text: currentChunk.trim(),
          start: currentStart,
          end: currentPos
        })
        currentChunk = sentence
        currentStart = currentPos
      } else {
        currentChunk += ' ' + sentence
      }
      currentPos += sentence.length
    }
    
    if (currentChunk) {
      chunks.push({
        text: currentChunk.trim(),
        start: currentStart,
        end: currentPos
      })
    }
    
    return chunks
  }
  
  private generateExcerpt(text: string, query: string): string {
    const queryWords = query.toLowerCase().split(/\s+/)
    const sentences = text.split(/[.!?]+/)
    
    // Find sentence with most query words
    let bestSentence = sentences[0]
    let maxMatches = 0
    
    for (const sentence of sentences) {
      const sentenceLower = sentence.toLowerCase()
      const matches = queryWords.filter(word => sentenceLower.includes(word)).length
      
      if (matches > maxMatches) {
        maxMatches = matches
        bestSentence = sentence
      }
    }
    
    // Trim to reasonable length
    return bestSentence.trim().slice(0, 200) + '...'
  }
}
