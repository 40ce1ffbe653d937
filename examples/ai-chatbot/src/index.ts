// The guide's intelligent chatbot (L5291-5419), unchanged but for the Env
// interface the guide leaves implicit.
interface Env {
  AI: Ai
  KV: KVNamespace
}

export class ChatBot {
  private conversationHistory: Map<string, Array<{
    role: string
    content: string
  }>> = new Map()
  
  constructor(
    private ai: Ai,
    private kv: KVNamespace
  ) {}
  
  async chat(
    sessionId: string,
    message: string,
    options: {
      model?: string
      temperature?: number
      maxTokens?: number
      systemPrompt?: string
    } = {}
  ): Promise<{
    response: string
    usage: {
      promptTokens: number
      completionTokens: number
      totalTokens: number
    }
  }> {
    // Get conversation history
    let history = await this.getHistory(sessionId)
    
    // Add user message
    history.push({ role: 'user', content: message })
    
    // Build prompt
    const prompt = this.buildPrompt(history, options.systemPrompt)
    
    // Generate response
    const startTime = Date.now()
    const response = await this.ai.run(
      options.model || '@cf/meta/llama-2-7b-chat-int8',
      {
        prompt,
        max_tokens: options.maxTokens || 500,
        temperature: options.temperature || 0.7,
        stream: false
      }
    )
    
    // Add assistant response to history
    history.push({ role: 'assistant', content: response.response })
    
    // Trim history if too long
    if (history.length > 20) {
      history = history.slice(-20)
    }
    
    // Save history
    await this.saveHistory(sessionId, history)
    
    // Calculate token usage (approximate)
    const usage = {
      promptTokens: Math.ceil(prompt.length / 4),
      completionTokens: Math.ceil(response.response.length / 4),
      totalTokens: Math.ceil((prompt.length + response.response.length) / 4)
    }
    
    // Log metrics
    await this.logMetrics(sessionId, {
      model: options.model || '@cf/meta/llama-2-7b-chat-int8',
      latency: Date.now() - startTime,
      tokens: usage.totalTokens
    })
    
    return {
      response: response.response,
      usage
    }
  }
  
  private buildPrompt(
    history: Array<{ role: string; content: string }>,
    systemPrompt?: string
  ): string {
    const system = systemPrompt || 'You are a helpful AI assistant.'
    
    let prompt = `System: ${system}\n\n`
    
    for (const message of history) {
      prompt += `${message.role === 'user' ? 'Human' : 'Assistant'}: ${message.content}\n\n`
    }
    
    prompt += 'Assistant: '
    
    return prompt
  }
  
  private async getHistory(sessionId: string) {
    const cached = await this.kv.get(`chat:${sessionId}`, 'json')
    return cached || []
  }
  
  private async saveHistory(sessionId: string, history: any[]) {
    await this.kv.put(`chat:${sessionId}`, JSON.stringify(history), {
      expirationTtl: 3600 // 1 hour
    })
  }
  
  private async logMetrics(sessionId: string, metrics: any) {
    // Log to analytics or monitoring service
  }
}

// Worker implementation
export default {
  async fetch(request: Request, env: Env) {
    const chatbot = new ChatBot(env.AI, env.KV)
    
    if (request.method === 'POST' && request.url.includes('/chat')) {
      const { sessionId, message, options } = await request.json()
      
      const response = await chatbot.chat(sessionId, message, options)
      
      return Response.json(response)
    }
    
    return new Response('Chat API', { status: 200 })
  }
}
