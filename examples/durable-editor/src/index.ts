interface Env {
  DOCS: DurableObjectNamespace<DocumentEditor>;
}

// Collaborative editor (the guide, L6399-6446). The guide calls
// this.broadcast without defining it; this example adds a broadcast that
// records what it would send, so the guide's code runs as written.
export class DocumentEditor {
  state: DurableObjectState
  document: { content: string; version: number }
  activeUsers: Map<string, { cursor: number; selection: any }>
  sent: any[] = []
  
  constructor(state: DurableObjectState) {
    this.state = state
    this.state.blockConcurrencyWhile(async () => {
      this.document = await this.state.storage.get('document') || {
        content: '',
        version: 0
      }
      this.activeUsers = new Map()
    })
  }
  
  async applyOperation(operation: {
    type: 'insert' | 'delete'
    position: number
    text?: string
    length?: number
    userId: string
  }) {
    // Apply operational transform
    if (operation.type === 'insert') {
      this.document.content = 
        this.document.content.slice(0, operation.position) +
        operation.text +
        this.document.content.slice(operation.position)
    } else {
      this.document.content = 
        this.document.content.slice(0, operation.position) +
        this.document.content.slice(operation.position + operation.length!)
    }
    
    this.document.version++
    
    // Persist state
    await this.state.storage.put('document', this.document)
    
    // Broadcast to all users
    this.broadcast({
      type: 'operation',
      operation,
      version: this.document.version
    })
  }

  broadcast(message: any) {
    this.sent.push(message)
  }

  async snapshot() {
    return { ...this.document, broadcasts: this.sent.length }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const doc = env.DOCS.getByName(url.searchParams.get("doc") ?? "readme");
    if (request.method === "POST") {
      await doc.applyOperation(await request.json());
    }
    return Response.json(await doc.snapshot());
  },
};
