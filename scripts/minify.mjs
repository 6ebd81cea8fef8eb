// trunk post-build hook for release builds: makes what ships smaller without changing
// what it does. Debug builds are left readable.
//
// 1. Short import names. wasm-bindgen names every function the wasm imports from its
//    glue like `__wbg_scrollHeight_4e4f6d0987910b5b`, under the module
//    "./guest-chat-app_bg.js", and both the wasm's import section and the glue's
//    imports object spell each name out: ~9.5 KB in the wasm alone, the hashes
//    incompressible. Each import gets a short name, the same in both files.
//    The wasm's exports, which only the glue calls (as `wasm.name`), get short names
//    too; `memory` keeps its name for tools that read the instance's memory.
// 2. The wasm's custom sections (producers, target features) are dropped: the browser
//    does not read them.
// 3. terser minifies the glue and the one-tag loader (trunk's own JS minifier rejects
//    the glue).
// 4. The copy of style.css (for the benchmark's plain-JavaScript page; the widget has
//    its own inside the wasm) is compacted by the same rules as build.rs, so both pages
//    load the same stylesheet bytes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error("minify.mjs runs as a trunk post_build hook (TRUNK_STAGING_DIR unset)");
if (process.env.TRUNK_PROFILE !== "release") process.exit(0);

const require = createRequire(join(process.cwd(), "tools", "package.json"));
const { minify } = require("terser");

const GLUE = "guest-chat-app.js";
const WASM = "guest-chat-app_bg.wasm";
const GLUE_MODULE = "./guest-chat-app_bg.js";
const SHORT_MODULE = "g";

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const utf8 = (text) => Buffer.from(text, "utf8");
const name = (text) => Buffer.concat([leb(utf8(text).length), utf8(text)]);

/** `_0`, `_1`, … `_z`, `_10`, …: valid JavaScript property names, never a wasm-bindgen name. */
const shortName = (index) => `_${index.toString(36)}`;

/** Skips one import description (after module and field) starting at `at`. */
function skipImportDescription(bytes, at) {
  const kind = bytes[at++];
  switch (kind) {
    case 0: // function: type index
      return readLeb(bytes, at)[1];
    case 1: { // table: reftype, limits
      at += 1;
      const flags = bytes[at++];
      at = readLeb(bytes, at)[1];
      return flags & 1 ? readLeb(bytes, at)[1] : at;
    }
    case 2: { // memory: limits
      const flags = bytes[at++];
      at = readLeb(bytes, at)[1];
      return flags & 1 ? readLeb(bytes, at)[1] : at;
    }
    case 3: // global: valtype, mutability
      return at + 2;
    case 4: // tag: attribute, type index
      return readLeb(bytes, at + 1)[1];
    default:
      throw new Error(`minify.mjs: unknown import kind ${kind}`);
  }
}

/** Renames the glue module's imports and the exports; returns the new wasm and the
 * old → new names of each. */
function shortenNames(wasm) {
  const renamed = new Map();
  const exported = new Map();
  const sections = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    if (id === 0) {
      at = end; // custom section: not needed to run
      continue;
    }
    if (id === 7) {
      let [count, p] = readLeb(wasm, start);
      const entries = [leb(count)];
      for (let i = 0; i < count; i++) {
        let length;
        [length, p] = readLeb(wasm, p);
        const field = wasm.subarray(p, p + length).toString("utf8");
        p += length;
        const descriptionStart = p;
        p = readLeb(wasm, p + 1)[1]; // kind, index
        const short = field === "memory" ? field : shortName(exported.size);
        if (short !== field) exported.set(field, short);
        entries.push(name(short), wasm.subarray(descriptionStart, p));
      }
      if (p !== end) throw new Error("minify.mjs: the export section was not read to its end");
      const body = Buffer.concat(entries);
      sections.push(Buffer.from([7]), leb(body.length), body);
      at = end;
      continue;
    }
    if (id !== 2) {
      sections.push(wasm.subarray(at, end));
      at = end;
      continue;
    }
    let [count, p] = readLeb(wasm, start);
    const entries = [leb(count)];
    for (let i = 0; i < count; i++) {
      let moduleLength, fieldLength;
      [moduleLength, p] = readLeb(wasm, p);
      const module = wasm.subarray(p, p + moduleLength).toString("utf8");
      p += moduleLength;
      [fieldLength, p] = readLeb(wasm, p);
      const field = wasm.subarray(p, p + fieldLength).toString("utf8");
      p += fieldLength;
      const descriptionStart = p;
      p = skipImportDescription(wasm, p);
      const description = wasm.subarray(descriptionStart, p);
      if (module === GLUE_MODULE) {
        if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
        entries.push(name(SHORT_MODULE), name(renamed.get(field)), description);
      } else {
        entries.push(name(module), name(field), description);
      }
    }
    if (p !== end) throw new Error("minify.mjs: the import section was not read to its end");
    const body = Buffer.concat(entries);
    sections.push(Buffer.from([2]), leb(body.length), body);
    at = end;
  }
  return { wasm: Buffer.concat(sections), renamed, exported };
}

/** Applies the same renaming to the glue: the keys of its imports object, and its
 * calls into the wasm. */
function renameInGlue(glue, renamed, exported) {
  const moduleKey = JSON.stringify(GLUE_MODULE);
  if (glue.split(moduleKey).length !== 2) throw new Error(`minify.mjs: expected ${moduleKey} once in the glue`);
  let out = glue.replace(moduleKey, JSON.stringify(SHORT_MODULE));
  for (const [long, short] of renamed) {
    const pattern = new RegExp(`(?<![\\w$])${long}(?![\\w$])`, "g");
    const found = out.match(pattern)?.length ?? 0;
    if (found !== 1) throw new Error(`minify.mjs: expected the import ${long} once in the glue, found ${found}`);
    out = out.replace(pattern, short);
  }
  for (const [long, short] of exported) {
    out = out.replace(new RegExp(`(?<![\\w$])wasm\\.${long}(?![\\w$])`, "g"), `wasm.${short}`);
    // Reached any other way (another object, a string), the old name would now be missing.
    if (new RegExp(`[.'"\`]${long}(?![\\w$])`).test(out)) {
      throw new Error(`minify.mjs: the glue reaches the export ${long} other than as wasm.${long}`);
    }
  }
  return out;
}

const wasmPath = join(staging, WASM);
const gluePath = join(staging, GLUE);
const wasmBefore = readFileSync(wasmPath);
const { wasm, renamed, exported } = shortenNames(wasmBefore);
writeFileSync(wasmPath, wasm);
writeFileSync(gluePath, renameInGlue(readFileSync(gluePath, "utf8"), renamed, exported));
console.log(
  `minify.mjs: ${WASM} ${wasmBefore.length} -> ${wasm.length} bytes (${renamed.size} imports, ${exported.size} exports renamed)`,
);

for (const [file, module] of [[GLUE, true], ["guest-chat.js", false]]) {
  const path = join(staging, file);
  const source = readFileSync(path, "utf8");
  const result = await minify(source, { module, compress: { passes: 2 }, mangle: true, format: { comments: false } });
  writeFileSync(path, result.code);
  console.log(`minify.mjs: ${file} ${source.length} -> ${result.code.length} bytes`);
}

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
