// trunk post-build hook for release builds: makes what ships smaller without changing
// what it does. Debug builds are left readable.
//
// 1. Short import and export names. wasm-bindgen names every function the wasm imports
//    from its glue like `__wbg_scrollHeight_4e4f6d0987910b5b`, and both the wasm and the
//    glue spell each name out (~9.5 KB in the wasm alone, the hashes incompressible).
//    binaryen's own pass renames them and prints the old → new mapping; the glue is then
//    rewritten from that mapping. The same run drops the custom sections the browser
//    does not read, and optimizes for size once more (-Oz), which wins back what the
//    renaming costs in compression (the names binaryen picks compress a little worse).
// 2. terser minifies the glue and the one-tag loader (trunk's own JS minifier rejects
//    the glue).
// 3. The copy of style.css (for the benchmark's plain-JavaScript page; the widget has
//    its own inside the wasm) is compacted by the same rules as build.rs; an end-to-end
//    test checks that the two copies are byte for byte the same.
// 4. Precompressed copies (`.br`, `.gz`) of the widget's files, as a CDN would serve them;
//    the simulator sends them with their Content-Encoding.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { brotliCompressSync, gzipSync, constants as zlib } from "node:zlib";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("minify.mjs runs as a trunk post_build hook (TRUNK_STAGING_DIR unset)");
// Messenger's page API rides in the glue (embed/messenger.js says why), in every build.
{
  const gluePath = join(staging, "guest-chat-app.js");
  const glue = readFileSync(gluePath, "utf8");
  if (!glue.includes("export function installMessenger"))
    writeFileSync(gluePath, glue + "\n" + readFileSync(join(process.cwd(), "embed", "messenger.js"), "utf8"));
}
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);

const tools = join(process.cwd(), "tools");
const require = createRequire(join(tools, "package.json"));
const { minify } = require("terser");

const GLUE = "guest-chat-app.js";
const WASM = "guest-chat-app_bg.wasm";
const GLUE_MODULE = "./guest-chat-app_bg.js";
// The features wasm-bindgen's output uses, as index.html gives them to trunk's wasm-opt.
const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types"];

/** Runs binaryen's renaming pass on the wasm in place; returns its mapping. */
function minifyNames(wasmPath) {
  const scratch = mkdtempSync(join(tmpdir(), "gc-minify-"));
  try {
    const output = join(scratch, WASM);
    const printed = execFileSync(
      join(tools, "node_modules", ".bin", "wasm-opt"),
      [wasmPath, ...FEATURES, "-Oz", "--minify-imports-and-exports-and-modules", "--strip-producers", "--strip-target-features", "-o", output],
      { encoding: "utf8", maxBuffer: 1 << 26 },
    );
    writeFileSync(wasmPath, readFileSync(output));
    return JSON.parse(printed.slice(printed.indexOf("{")));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The module name binaryen gave the glue's imports, read back by WebAssembly itself. */
function glueModuleName(wasm, mapping) {
  const renamed = new Set(mapping.imports.filter(([module]) => module === GLUE_MODULE).map(([, , short]) => short));
  const modules = new Set(
    WebAssembly.Module.imports(new WebAssembly.Module(wasm))
      .filter((i) => renamed.has(i.name))
      .map((i) => i.module),
  );
  if (modules.size !== 1) throw new Error(`minify.mjs: the glue's imports are now in ${modules.size} modules`);
  return [...modules][0];
}

const word = (name) => name.replace(/[$]/g, "\\$");

/** Applies the mapping to the glue: its imports object, and its calls into the wasm. */
function renameInGlue(glue, mapping, module) {
  const moduleKey = JSON.stringify(GLUE_MODULE);
  if (glue.split(moduleKey).length !== 2) throw new Error(`minify.mjs: expected ${moduleKey} once in the glue`);
  let out = glue.replace(moduleKey, JSON.stringify(module));
  for (const [from, long, short] of mapping.imports) {
    if (from !== GLUE_MODULE) throw new Error(`minify.mjs: an import from ${from}, which the glue does not provide`);
    const pattern = new RegExp(`(?<![\\w$])${word(long)}(?=\\s*:)`, "g");
    const found = out.match(pattern)?.length ?? 0;
    if (found !== 1) throw new Error(`minify.mjs: expected the import ${long} once in the glue, found ${found}`);
    out = out.replace(pattern, JSON.stringify(short));
  }
  for (const [long, short] of mapping.exports) {
    out = out.replace(new RegExp(`(?<![\\w$])wasm\\.${word(long)}(?![\\w$])`, "g"), `wasm[${JSON.stringify(short)}]`);
    // Reached any other way (another object, a string), the old name would now be missing.
    if (new RegExp(`[.'"\`]${word(long)}(?![\\w$])`).test(out)) {
      throw new Error(`minify.mjs: the glue reaches the export ${long} other than as wasm.${long}`);
    }
  }
  return out;
}

const wasmPath = join(staging, WASM);
const gluePath = join(staging, GLUE);
const sizeBefore = readFileSync(wasmPath).length;
const mapping = minifyNames(wasmPath);
const wasm = readFileSync(wasmPath);
const module = glueModuleName(wasm, mapping);
writeFileSync(gluePath, renameInGlue(readFileSync(gluePath, "utf8"), mapping, module));
console.log(
  `minify.mjs: ${WASM} ${sizeBefore} -> ${wasm.length} bytes (${mapping.imports.length} imports, ${mapping.exports.length} exports renamed)`,
);

async function terse(file, isModule) {
  const path = join(staging, file);
  const source = readFileSync(path, "utf8");
  // The loader's own properties on its host elements (`__early`…) are renamed too.
  const result = await minify(source, {
    module: isModule,
    ecma: 2020,
    compress: { passes: 3 },
    mangle: isModule ? true : { properties: { regex: /^__(early|text|config|started)$/ } },
    format: { comments: false },
  });
  writeFileSync(path, result.code);
  console.log(`minify.mjs: ${file} ${source.length} -> ${result.code.length} bytes`);
}

const sri = (file, algorithm = "sha384") =>
  `${algorithm}-${createHash(algorithm).update(readFileSync(join(staging, file))).digest("base64")}`;

await terse(GLUE, true);
// The one-tag loader checks what it loads against the digests of what ships.
{
  const loaderPath = join(staging, "guest-chat.js");
  const loader = readFileSync(loaderPath, "utf8");
  const empty = 'var integrity = { glue: "", wasm: "" };';
  if (loader.split(empty).length !== 2) throw new Error("minify.mjs: the loader's integrity line was not found once");
  // SHA-256 is as safe here and its digests cost the page 30 bytes fewer.
  writeFileSync(loaderPath, loader.replace(empty, `var integrity = { glue: "${sri(GLUE, "sha256")}", wasm: "${sri(WASM, "sha256")}" };`));
}
await terse("guest-chat.js", false);

/** build.rs's `compact_css`: comments dropped, whitespace runs made one space, no space
 * around `{`, `}` and `;`. */
function compactCss(css) {
  const collapsed = css.replace(/\/\*[\s\S]*?(\*\/|$)/g, " ").split(/\s+/).filter(Boolean).join(" ");
  return collapsed.replace(/ ?([{};]) ?/g, "$1");
}

const cssPath = join(staging, "style.css");
const css = readFileSync(cssPath, "utf8");
writeFileSync(cssPath, compactCss(css));
console.log(`minify.mjs: style.css ${css.length} -> ${compactCss(css).length} bytes`);

// The files changed after trunk hashed them: the page's integrity attributes are
// computed again from what ships, so the browser checks the very bytes it gets.
const htmlPath = join(staging, "index.html");
const escaped = (file) => file.replace(".", "\\.");
let html = readFileSync(htmlPath, "utf8");
const before = html;
// The glue's modulepreload carries it, and the module import honours it.
html = html.replace(
  new RegExp(`(<link[^>]*href="?/${escaped(GLUE)}"?[^>]*integrity="?)sha384-[A-Za-z0-9+/=]+`),
  `$1${sri(GLUE)}`,
);
if (html === before) throw new Error(`minify.mjs: no integrity attribute for ${GLUE} in index.html`);
// Browsers ignore integrity on a wasm preload (and say so in the console): the page's
// own fetch of the wasm carries it instead, and a changed file is refused, not run.
html = html.replace(new RegExp(`(<link[^>]*href="?/${escaped(WASM)}"?[^>]*) integrity="?sha384-[A-Za-z0-9+/=]+"?`), "$1");
const call = `module_or_path: '/${WASM}'`;
if (html.split(call).length !== 2) throw new Error(`minify.mjs: expected "${call}" once in index.html`);
html = html.replace(call, `module_or_path: fetch('/${WASM}', { integrity: '${sri(WASM)}' })`);
writeFileSync(htmlPath, html);
console.log("minify.mjs: integrity of the glue and the wasm written into index.html");

// Last, once every file is final.
for (const file of [WASM, GLUE, "guest-chat.js", "style.css"]) {
  const bytes = readFileSync(join(staging, file));
  writeFileSync(join(staging, `${file}.gz`), gzipSync(bytes, { level: 9 }));
  writeFileSync(
    join(staging, `${file}.br`),
    brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
  );
}
console.log("minify.mjs: .br and .gz copies of the widget's files written");
