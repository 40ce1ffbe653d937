import { useEffect, useState } from "react";

// A single-page app: the route it shows comes from the address bar (Pages
// serves index.html for every path that is not a file), its data from the
// API in functions/api/.
export default function App() {
  const [todos, setTodos] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    fetch("/api/todos")
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((body) => setTodos(body.todos))
      .catch((e) => setError(String(e)));
  }, []);
  return (
    <main>
      <h1>Todos</h1>
      <p id="route">route: {window.location.pathname}</p>
      {error && <p id="error">{error}</p>}
      {todos === null ? (
        <p id="loading">Loading…</p>
      ) : (
        <ul id="todos">
          {todos.map((t) => (
            <li key={t.id}>{t.title}</li>
          ))}
        </ul>
      )}
    </main>
  );
}
