// Fails when what the widget loads grows past the budget recorded in size-budget.json:
// the files it lists (the wasm with the stylesheet inside, its JS glue, the one-tag
// loader). Lower the budget whenever the widget gets smaller. An end-to-end test checks
// that the widget loads nothing else; dist/ also holds pages and a copy of style.css
// for the benchmark's plain-JavaScript page.
import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const budget = JSON.parse(readFileSync(join(root, "size-budget.json"), "utf8"));
const files = budget.files;
const missing = files.filter((f) => !existsSync(join(dist, f)));
if (missing.length > 0) {
  console.error(`size budget: dist/ lacks ${missing.join(", ")}; run trunk build --release first`);
  process.exit(1);
}
let raw = 0;
let gzip = 0;
for (const file of files.sort()) {
  const bytes = readFileSync(join(dist, file));
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzip += zipped;
  console.log(`${file.padEnd(28)} ${String(bytes.length).padStart(8)} B raw ${String(zipped).padStart(8)} B gzip`);
}
console.log(`${"total".padEnd(28)} ${String(raw).padStart(8)} B raw ${String(gzip).padStart(8)} B gzip`);
console.log(`budget: ${budget.gzip_bytes} B gzip`);
if (gzip > budget.gzip_bytes) {
  console.error(`size budget exceeded by ${gzip - budget.gzip_bytes} B gzip`);
  process.exit(1);
}
