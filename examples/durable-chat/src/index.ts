import { DurableObject } from "cloudflare:workers";

interface Env {
  ROOMS: DurableObjectNamespace;
  HROOMS: DurableObjectNamespace;
}

// Chat room implementation (the guide, L6336-6396, unchanged).
export class ChatRoom {
  state: DurableObjectState
  sessions: Set<WebSocket> = new Set()
  messages: Array<any> = []
  
  constructor(state: DurableObjectState) {
    this.state = state
  }
  
  async fetch(request: Request) {
    const url = new URL(request.url)
    
    if (url.pathname === '/websocket') {
      return this.handleWebSocket(request)
    }
    
    if (url.pathname === '/history') {
      return Response.json({ messages: this.messages })
    }
  }
  
  async handleWebSocket(request: Request) {
    const pair = new WebSocketPair()
    const [client, server] = Object.values(pair)
    
    this.state.acceptWebSocket(server)
    this.sessions.add(server)
    
    server.addEventListener('message', async (event) => {
      const message = JSON.parse(event.data)
      
      // Store message
      this.messages.push({
        ...message,
        timestamp: Date.now()
      })
      
      // Keep last 100 messages
      if (this.messages.length > 100) {
        this.messages = this.messages.slice(-100)
      }
      
      // Broadcast to all connected clients
      const broadcast = JSON.stringify(message)
      for (const session of this.sessions) {
        try {
          session.send(broadcast)
        } catch (error) {
          // Remove dead connections
          this.sessions.delete(session)
        }
      }
    })
    
    server.addEventListener('close', () => {
      this.sessions.delete(server)
    })
    
    return new Response(null, { status: 101, webSocket: client })
  }
}

// HibernatingRoom uses the Hibernation API as Cloudflare documents it:
// handler methods instead of listeners, tags, attachments, auto-response.
export class HibernatingRoom extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.endsWith("/count")) {
      return Response.json({ sockets: this.ctx.getWebSockets().length, tagged: this.ctx.getWebSockets("vip").length });
    }
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair);
    const user = url.searchParams.get("user") ?? "anon";
    this.ctx.acceptWebSocket(server, user === "ann" ? ["vip"] : []);
    server.serializeAttachment({ user });
    this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) {
    const { user } = ws.deserializeAttachment();
    const n = ((await this.ctx.storage.get<number>("count")) ?? 0) + 1;
    await this.ctx.storage.put("count", n);
    for (const peer of this.ctx.getWebSockets()) peer.send(`${n} ${user}: ${message}`);
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string) {
    for (const peer of this.ctx.getWebSockets()) if (peer !== ws) peer.send(`left: ${ws.deserializeAttachment().user}`);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    // WebSocket for real-time features (the guide, L6821-6828)
    if (url.pathname.startsWith('/ws/')) {
      const roomId = url.pathname.split('/')[2]
      const id = env.ROOMS.idFromName(roomId)
      const room = env.ROOMS.get(id)
      
      return room.fetch(new Request(new URL('/websocket', url), request))
    }
    if (url.pathname.startsWith('/history/')) {
      const room = env.ROOMS.get(env.ROOMS.idFromName(url.pathname.split('/')[2]))
      return room.fetch(new Request(new URL('/history', url)))
    }
    if (url.pathname.startsWith('/hws/')) {
      return env.HROOMS.getByName(url.pathname.split('/')[2]).fetch(request)
    }
    return new Response('not found', { status: 404 })
  },
};
