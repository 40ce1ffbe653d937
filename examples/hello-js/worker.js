// worker.js - A complete API that runs globally (guide L644-659, unchanged)
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    
    if (url.pathname === "/api/hello") {
      return Response.json({ 
        message: "Hello from the edge!",
        location: request.cf?.city || "Unknown",
        latency: "< 50ms worldwide"
      });
    }
    
    return new Response("Not found", { status: 404 });
  }
};
