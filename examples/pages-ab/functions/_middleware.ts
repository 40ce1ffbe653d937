// functions/_middleware.ts
export async function onRequest(context) {
  const cookie = context.request.headers.get('Cookie')
  const variant = cookie?.includes('variant=B') ? 'B' : 'A'
  
  // Serve different content
  if (variant === 'B' && context.request.url.includes('index.html')) {
    return fetch('https://my-app.pages.dev/index-b.html')
  }
  
  return context.next()
}
