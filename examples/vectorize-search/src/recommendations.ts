// The guide's product recommendation engine (L4463-4639), unchanged.
export class RecommendationEngine {
  constructor(
    private vectorize: VectorizeIndex,
    private ai: Ai,
    private kv: KVNamespace
  ) {}
  
  async indexProduct(product: {
    id: string
    name: string
    description: string
    category: string
    price: number
    attributes: Record<string, any>
  }): Promise<void> {
    // Create rich text representation
    const textRepresentation = `
      ${product.name}
      ${product.description}
      Category: ${product.category}
      ${Object.entries(product.attributes)
        .map(([k, v]) => `${k}: ${v}`)
        .join(' ')}
    `.trim()
    
    // Generate embedding
    const response = await this.ai.run('@cf/baai/bge-base-en-v1.5', {
      text: [textRepresentation]
    })
    
    // Store in Vectorize
    await this.vectorize.insert([{
      id: product.id,
      values: response.data[0],
      metadata: {
        name: product.name,
        category: product.category,
        price: product.price,
        ...product.attributes
      }
    }])
  }
  
  async getSimilarProducts(
    productId: string,
    options: {
      limit?: number
      priceRange?: { min: number; max: number }
      category?: string
    } = {}
  ): Promise<Array<{
    id: string
    name: string
    score: number
    price: number
  }>> {
    // Get product vector
    const product = await this.vectorize.getByIds([productId])
    
    if (!product || product.length === 0) {
      throw new Error('Product not found')
    }
    
    // Build filter
    const filter: Record<string, any> = {}
    
    if (options.priceRange) {
      filter.price = {
        $gte: options.priceRange.min,
        $lte: options.priceRange.max
      }
    }
    
    if (options.category) {
      filter.category = options.category
    }
    
    // Find similar products
    const results = await this.vectorize.query(product[0].values, {
      topK: (options.limit || 10) + 1, // +1 to exclude self
      filter
    })
    
    // Filter out the queried product and return
    return results.matches
      .filter(match => match.id !== productId)
      .map(match => ({
        id: match.id,
        name: match.metadata.name,
        score: match.score,
        price: match.metadata.price
      }))
      .slice(0, options.limit || 10)
  }
  
  async getPersonalizedRecommendations(
    userId: string,
    limit: number = 10
  ): Promise<Array<any>> {
    // Get user interaction history
    const history = await this.getUserHistory(userId)
    
    if (history.length === 0) {
      // Return popular products for new users
      return this.getPopularProducts(limit)
    }
    
    // Calculate user preference vector
    const userVector = await this.calculateUserPreferenceVector(history)
    
    // Find products matching user preferences
    const results = await this.vectorize.query(userVector, {
      topK: limit * 2, // Get extra to filter
      filter: {
        id: { $nin: history.map(h => h.productId) } // Exclude already seen
      }
    })
    
    // Re-rank based on multiple factors
    const reranked = await this.rerankResults(results.matches, userId)
    
    return reranked.slice(0, limit)
  }
  
  private async calculateUserPreferenceVector(
    history: Array<{ productId: string; interaction: string; timestamp: number }>
  ): Promise<number[]> {
    // Get vectors for interacted products
    const productIds = history.map(h => h.productId)
    const products = await this.vectorize.getByIds(productIds)
    
    // Weight by interaction type and recency
    const weights = history.map(h => {
      const recencyWeight = Math.exp(-(Date.now() - h.timestamp) / (30 * 24 * 60 * 60 * 1000))
      const interactionWeight = {
        view: 0.1,
        click: 0.3,
        purchase: 1.0,
        review: 0.8
      }[h.interaction] || 0.1
      
      return recencyWeight * interactionWeight
    })
    
    // Calculate weighted average
    const dimensions = products[0].values.length
    const avgVector = new Array(dimensions).fill(0)
    
    for (let i = 0; i < products.length; i++) {
      const product = products[i]
      const weight = weights[i]
      
      for (let d = 0; d < dimensions; d++) {
        avgVector[d] += product.values[d] * weight
      }
    }
    
    // Normalize
    const totalWeight = weights.reduce((sum, w) => sum + w, 0)
    return avgVector.map(v => v / totalWeight)
  }
  
  private async getUserHistory(userId: string) {
    const cached = await this.kv.get(`user_history:${userId}`, 'json')
    return cached || []
  }
  
  private async getPopularProducts(limit: number) {
    // Implementation depends on your tracking
    return []
  }
  
  private async rerankResults(matches: any[], userId: string) {
    // Rerank based on business logic
    return matches
  }
}
