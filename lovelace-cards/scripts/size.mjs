// Prints the bundle's size, raw and gzipped, against the budget for all cards together.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const BUDGET = 60 * 1024;
const file = new URL("../dist/openlem-cards.js", import.meta.url);
const raw = readFileSync(file);
const gz = gzipSync(raw, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`dist/openlem-cards.js: ${kb(raw.length)}, ${kb(gz)} gzipped (budget ${kb(BUDGET)} gzipped)`);
if (gz > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
