import { resolve } from "node:path";
import { defineConfig } from "vite";

// Two pages, /admin/ and /app/, sharing one asset folder; the hub serves dist/ as it is.
export default defineConfig({
  root: resolve(import.meta.dirname, "src"),
  base: "/",
  resolve: { conditions: ["@openlem/source"] },
  build: {
    outDir: resolve(import.meta.dirname, "dist"),
    emptyOutDir: true,
    target: "es2022",
    rollupOptions: {
      input: {
        admin: resolve(import.meta.dirname, "src/admin/index.html"),
        app: resolve(import.meta.dirname, "src/app/index.html"),
      },
    },
  },
});
