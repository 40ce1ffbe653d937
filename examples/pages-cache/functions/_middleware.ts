// functions/_middleware.ts
export async function onRequest(context) {
  const response = await context.next()
  
  // Cache static API responses
  if (context.request.url.includes('/api/static/')) {
    response.headers.set('Cache-Control', 'public, max-age=3600')
  }
  
  return response
}
