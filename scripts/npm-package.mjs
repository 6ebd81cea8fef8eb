// Assembles the npm package of the built widget in target/npm/ from dist/ (a release
// build) and npm/, with the crate's version, and packs it: prints the tarball's path.
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const out = join(root, "target", "npm");
const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = /\[package\][^[]*?\nversion\s*=\s*"([^"]+)"/.exec(cargo)?.[1];
if (!version) throw new Error("npm-package.mjs: no [package] version in Cargo.toml");

const widget = ["guest-chat.js", "guest-chat-app.js", "guest-chat-app_bg.wasm"];
const files = [...widget, ...widget.flatMap((f) => [`${f}.br`, `${f}.gz`])];
const missing = files.filter((f) => !existsSync(join(dist, f)));
if (missing.length > 0) throw new Error(`npm-package.mjs: dist/ lacks ${missing.join(", ")}; run trunk build --release first`);

rmSync(out, { recursive: true, force: true });
const pkg = join(out, "package");
mkdirSync(pkg, { recursive: true });
for (const file of files) copyFileSync(join(dist, file), join(pkg, file));
for (const file of ["guest-chat.d.ts", "README.md"]) copyFileSync(join(root, "npm", file), join(pkg, file));
const manifest = {
  name: "guest-chat-widget",
  version,
  description: "Customer chat for websites, in Rust and WebAssembly: one tag, a launcher first, the widget on intent",
  license: "MIT",
  browser: "./guest-chat.js",
  types: "./guest-chat.d.ts",
  files: [...files, "guest-chat.d.ts"],
  exports: {
    ".": { types: "./guest-chat.d.ts", default: "./guest-chat.js" },
    "./guest-chat.js": "./guest-chat.js",
    "./guest-chat-app.js": "./guest-chat-app.js",
    "./guest-chat-app_bg.wasm": "./guest-chat-app_bg.wasm",
    "./package.json": "./package.json",
  },
  sideEffects: ["./guest-chat.js"],
};
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], { cwd: pkg, encoding: "utf8" }).trim().split("\n").pop();
console.log(join(out, packed));
