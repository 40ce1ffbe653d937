// The SPA's API: GET /api/todos lists the todos kept in KV (seeded on
// first use); POST adds one.
interface Env {
  TODOS: KVNamespace;
}

type Todo = { id: number; title: string };

async function load(env: Env): Promise<Todo[]> {
  const list = await env.TODOS.get<Todo[]>("todos", "json");
  if (list) return list;
  const seed = [
    { id: 1, title: "Build the React app with Vite" },
    { id: 2, title: "Serve it with zerostack pages dev" },
  ];
  await env.TODOS.put("todos", JSON.stringify(seed));
  return seed;
}

export const onRequestGet: PagesFunction<Env> = async ({ env }) => {
  return Response.json({ todos: await load(env) });
};

export const onRequestPost: PagesFunction<Env> = async ({ request, env }) => {
  const { title } = await request.json<{ title: string }>();
  const todos = await load(env);
  todos.push({ id: todos.length + 1, title });
  await env.TODOS.put("todos", JSON.stringify(todos));
  return Response.json({ todos }, { status: 201 });
};
