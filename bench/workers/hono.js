// A Hono JSON route with a path parameter, for bench/run.sh.
import { Hono } from "hono";

const app = new Hono();
app.get("/api/users/:id", (c) => c.json({ id: c.req.param("id"), name: "Ada", roles: ["admin", "dev"] }));
export default app;
