// Fails when what the widget loads grows past the budget recorded in size-budget.json:
// the files it lists (the wasm with the stylesheet inside, its JS glue, the one-tag
// loader). Lower the budget whenever the widget gets smaller. An end-to-end test checks
// that the widget loads nothing else; dist/ also holds pages and a copy of style.css
// for the benchmark's plain-JavaScript page.
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
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
let failed = false;
if (gzip > budget.gzip_bytes) {
  console.error(`size budget exceeded by ${gzip - budget.gzip_bytes} B gzip`);
  failed = true;
}

// What a host page pays before the visitor shows interest: the loader alone. This budget
// never rises (docs/size.md).
const before = budget.before_interaction;
const early = before.files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dist, file)), { level: 9 }).length, 0);
console.log(`before interaction (${before.files.join(", ")}): ${early} B gzip, budget ${before.gzip_bytes} B`);
if (early > before.gzip_bytes) {
  console.error(`what loads before interaction exceeds its budget by ${early - before.gzip_bytes} B gzip`);
  failed = true;
}

// A rule of src/core/lean.rs that clippy cannot see: formatting a float links core's
// flt2dec (+7.6 KB gzip). binaryen lists the functions of the compiler's output by name.
const compiled = join(root, "target", "wasm32-unknown-unknown", "release", "guest-chat-app.wasm");
if (existsSync(compiled)) {
  const functions = execFileSync(join(root, "tools", "node_modules", ".bin", "wasm-opt"), [compiled, "--print-function-map"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const float = functions.split("\n").filter((line) => /flt2dec|fmt\d*float|fmt..float/.test(line));
  if (float.length > 0) {
    console.error(`the widget formats floats (core's flt2dec, ${float.length} functions, +7.6 KB gzip): show whole numbers or let Intl format`);
    failed = true;
  } else {
    console.log("no float formatting linked");
  }
}
if (failed) process.exit(1);
