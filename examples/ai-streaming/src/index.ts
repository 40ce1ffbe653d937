// The guide's streaming completions (L5934-5991), with two fixes:
//  1. The guide's `const encoder = new TextEncoder()` is followed by a line
//     starting with `(`, so JavaScript's automatic semicolon insertion reads
//     `new TextEncoder()(async () => …)()` and throws "TypeError: … is not a
//     function" before anything streams: a semicolon ends the statement.
//  2. env.AI.run(…, {stream: true}) returns a ReadableStream of server-sent
//     event bytes (`data: {"response":"…"}` … `data: [DONE]`), so iterating
//     it yields Uint8Arrays whose `.response` is undefined: the loop now
//     decodes the events (sseEvents below) and reads their `response`.
interface Env {
  AI: Ai
}

// sseEvents yields the JSON objects of a Workers AI event stream.
async function* sseEvents(stream: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const bytes of stream) {
    buffered += decoder.decode(bytes, { stream: true })
    let end
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end)
      buffered = buffered.slice(end + 2)
      const data = event.startsWith('data: ') ? event.slice(6) : ''
      if (data === '[DONE]') return
      if (data) yield JSON.parse(data)
    }
  }
}

export class StreamingAI {
  async streamCompletion(
    ai: Ai,
    prompt: string
  ): Promise<ReadableStream> {
    const { readable, writable } = new TransformStream()
    const writer = writable.getWriter()
    const encoder = new TextEncoder();
    
    // Start generation in background
    (async () => {
      try {
        const response = await ai.run(
          '@cf/meta/llama-2-7b-chat-int8',
          {
            prompt,
            stream: true,
            max_tokens: 500
          }
        )
        
        // Stream tokens as they arrive
        for await (const chunk of sseEvents(response as ReadableStream)) {
          const text = chunk.response || chunk.text || ''
          await writer.write(encoder.encode(`data: ${JSON.stringify({ text })}\n\n`))
        }
        
        await writer.write(encoder.encode('data: [DONE]\n\n'))
      } catch (error) {
        await writer.write(encoder.encode(`data: ${JSON.stringify({ error: error.message })}\n\n`))
      } finally {
        await writer.close()
      }
    })()
    
    return readable
  }
}

// Usage in Worker
export default {
  async fetch(request: Request, env: Env) {
    if (request.url.includes('/stream')) {
      const { prompt } = await request.json()
      const streamer = new StreamingAI()
      
      const stream = await streamer.streamCompletion(env.AI, prompt)
      
      return new Response(stream, {
        headers: {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-cache',
          'Connection': 'keep-alive'
        }
      })
    }
  }
}
