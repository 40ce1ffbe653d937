// functions/api/hello.ts
export async function onRequest(context) {
  return new Response(JSON.stringify({ 
    message: "Hello from the edge!",
    location: context.cf.colo 
  }))
}
