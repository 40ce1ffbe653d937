// The guide's Workers AI getting-started example (L5228-5244), unchanged.
interface Env {
  AI: Ai
}

export default {
  async fetch(request: Request, env: Env) {
    // Text generation
    const response = await env.AI.run('@cf/meta/llama-2-7b-chat-int8', {
      prompt: 'Write a haiku about cloudflare',
      max_tokens: 100
    })
    
    return Response.json({
      haiku: response.response
    })
  }
}
