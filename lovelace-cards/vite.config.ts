import { defineConfig } from "vite";

// One ES module with every card, as Home Assistant loads a dashboard resource.
export default defineConfig({
  resolve: { conditions: ["@openlem/source"] },
  build: {
    lib: { entry: "src/index.ts", formats: ["es"], fileName: () => "openlem-cards.js" },
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    minify: true,
  },
});
