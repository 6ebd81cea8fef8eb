// trunk post-build hook: minifies the JavaScript that ships in a release build (the
// wasm-bindgen glue and the one-tag loader). trunk's own JS minifier rejects the glue,
// so terser does it; debug builds are left readable.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("minify.mjs runs as a trunk post_build hook (TRUNK_STAGING_DIR unset)");
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);

const require = createRequire(join(process.cwd(), "tools", "package.json"));
const { minify } = require("terser");

for (const [file, module] of [["guest-chat-app.js", true], ["guest-chat.js", false]]) {
  const path = join(staging, file);
  const source = readFileSync(path, "utf8");
  const result = await minify(source, { module, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  writeFileSync(path, result.code);
  console.log(`minify.mjs: ${file} ${source.length} -> ${result.code.length} bytes`);
}
