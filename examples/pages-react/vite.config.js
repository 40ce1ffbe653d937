import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The React app builds into dist/, the Pages output directory
// (pages_build_output_dir in wrangler.toml).
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
});
