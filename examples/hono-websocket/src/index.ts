// The guide's "WebSocket Support" section (L1622-1666), unchanged, in an
// app of its own. Note: Hono's Cloudflare adapter never calls onOpen (on
// Cloudflare too), so the chat's `connections` set stays empty and the
// room broadcasts to nobody; /ws/echo shows the helper's message path.
import { Hono } from 'hono'
import { upgradeWebSocket } from 'hono/cloudflare-workers'

type Bindings = {}

const app = new Hono<{ Bindings: Bindings }>()

const ws = new Hono<{ Bindings: Bindings }>()

ws.get('/chat/:room',
  upgradeWebSocket((c) => {
    const room = c.req.param('room')
    const connections = new Set<WebSocket>()
    
    return {
      onOpen(event, ws) {
        connections.add(ws)
        ws.send(JSON.stringify({
          type: 'system',
          message: `Welcome to room ${room}`
        }))
      },
      
      onMessage(event, ws) {
        const data = JSON.parse(event.data)
        
        // Broadcast to all connections
        const message = JSON.stringify({
          type: 'message',
          user: data.user,
          text: data.text,
          timestamp: Date.now()
        })
        
        for (const conn of connections) {
          if (conn.readyState === WebSocket.OPEN) {
            conn.send(message)
          }
        }
      },
      
      onClose(event, ws) {
        connections.delete(ws)
      }
    }
  })
)

// An echo: every message comes back, prefixed; "bye" closes with 4000.
ws.get('/echo',
  upgradeWebSocket(() => ({
    onMessage(event, ws) {
      if (event.data === 'bye') {
        ws.close(4000, 'bye')
        return
      }
      ws.send(typeof event.data === 'string' ? `echo: ${event.data}` : event.data)
    },
  }))
)

app.route('/ws', ws)

app.get('/', (c) => c.text('WebSocket endpoints: /ws/chat/:room and /ws/echo'))

export default app
