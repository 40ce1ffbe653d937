// Echoes the request body, for the body-throughput measurement.
export default {
  async fetch(request) {
    return new Response(await request.arrayBuffer());
  },
};
