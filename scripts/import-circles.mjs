// Reports import circles between the modules of a crate, read from its `mod`, `use`
// and `crate::`/`super::` paths. A reference between two modules counts as an edge
// between the siblings that contain them (a module's own children and ancestors are
// its inside, not a dependency): `core::chat::outbox` naming `core::lean` is an edge
// `core::chat → core::lean`. Any circle among siblings fails.
//
//   node scripts/import-circles.mjs src simulator/src

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

function rustFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return rustFiles(path);
    return name.endsWith(".rs") ? [path] : [];
  });
}

// The module a file is, as path segments from the crate root.
function modulePath(root, file) {
  const parts = relative(root, file).split(sep);
  const last = parts.pop().replace(/\.rs$/, "");
  if (!["mod", "lib", "main"].includes(last)) parts.push(last);
  return parts;
}

function stripComments(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\/\/.*$/gm, "");
}

// `a::{b, c::{d, e}}` → ["a::b", "a::c::d", "a::c::e"].
function expandTree(tree) {
  tree = tree.replace(/\s+/g, "");
  const open = tree.indexOf("{");
  if (open < 0) return [tree.replace(/\bas\b.*$/, "")];
  const prefix = tree.slice(0, open);
  const inner = tree.slice(open + 1, tree.lastIndexOf("}"));
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= inner.length; i++) {
    const c = inner[i];
    if (c === "{") depth++;
    if (c === "}") depth--;
    if ((c === "," && depth === 0) || i === inner.length) {
      const item = inner.slice(start, i);
      if (item) items.push(...expandTree(item).map((p) => prefix + p));
      start = i + 1;
    }
  }
  return items;
}

function references(text) {
  const found = [];
  for (const m of text.matchAll(/\buse\s+([^;]+);/g)) found.push(...expandTree(m[1]));
  for (const m of text.matchAll(/\b((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    found.push(m[1]);
  }
  return found;
}

// The known module a path names (its longest module prefix), or null outside the crate.
function resolve(from, path, modules) {
  const segments = path.split("::").filter(Boolean);
  let base;
  if (segments[0] === "crate") {
    base = [];
    segments.shift();
  } else if (segments[0] === "super" || segments[0] === "self") {
    base = [...from];
    while (segments[0] === "super" || segments[0] === "self") {
      if (segments.shift() === "super") base.pop();
    }
  } else {
    // A child module named directly (`use child::Item`), or another crate.
    if (!modules.has([...from, segments[0]].join("::"))) return null;
    base = [...from];
  }
  let target = base;
  for (const segment of segments) {
    const next = [...target, segment];
    if (!modules.has(next.join("::"))) break;
    target = next;
  }
  return target;
}

function checkCrate(root) {
  const files = rustFiles(root).filter((f) => !f.endsWith(`${sep}main.rs`) || !statSync(join(root, "lib.rs"), { throwIfNoEntry: false }));
  const modules = new Map(files.map((f) => [modulePath(root, f).join("::"), f]));
  const edges = new Map();
  for (const file of files) {
    const from = modulePath(root, file);
    for (const path of references(stripComments(readFileSync(file, "utf8")))) {
      const to = resolve(from, path, modules);
      if (!to) continue;
      let k = 0;
      while (k < from.length && k < to.length && from[k] === to[k]) k++;
      if (k === from.length || k === to.length) continue; // one contains the other
      const a = from.slice(0, k + 1).join("::");
      const b = to.slice(0, k + 1).join("::");
      if (!edges.has(a)) edges.set(a, new Set());
      edges.get(a).add(b);
    }
  }
  // Depth-first search for a back edge.
  const circles = [];
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === "open") {
        circles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  const count = [...edges.values()].reduce((n, s) => n + s.size, 0);
  return { circles, modules: modules.size, edges: count };
}

let failed = false;
for (const root of process.argv.slice(2)) {
  const { circles, modules, edges } = checkCrate(root);
  if (circles.length) {
    failed = true;
    console.error(`import circles in ${root}:`);
    for (const circle of circles) console.error(`  ${circle}`);
  } else {
    console.log(`${root}: ${modules} modules, ${edges} edges between siblings, no circle`);
  }
}
process.exit(failed ? 1 : 0);
