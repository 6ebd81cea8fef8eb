// Where the widget's bytes are: the functions and data of the wasm as wasm-bindgen left
// it (before wasm-opt and the post-build hook, while names are still there), grouped by
// the crate each is named after, with twiggy. Run by `scripts/bench.sh bytes`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasm = join(root, "target", "wasm-bindgen", "release", "guest-chat-app_bg.wasm");
if (!existsSync(wasm)) throw new Error(`${wasm} is missing: trunk build --release first`);

const csv = execFileSync("twiggy", ["top", "-n", "1000000", "--format", "csv", wasm], { encoding: "utf8", maxBuffer: 1 << 28 });

// The part a name belongs to, by the first crate it names.
const parts = [
  ["the widget's own code", /^(guest_chat|guest_chat_protocol|mountWidget|main$)\b/],
  ["Leptos (leptos, tachys, reactive_graph, …)", /^(leptos\w*|tachys|reactive_graph|any_spawner|either_of|or_poisoned|throw_error|next_tuple|hydration_context|server_fn\w*|oco_ref|slotmap|send_wrapper)\b/],
  ["hash tables used by Leptos (hashbrown, indexmap, rustc_hash)", /^(hashbrown|indexmap|rustc_hash|foldhash)\b/],
  ["serde and serde_json", /^(serde\w*|ryu|itoa|memchr)\b/],
  ["gloo-net and futures", /^(gloo\w*|futures\w*|pin_project\w*)\b/],
  ["wasm-bindgen, js-sys, web-sys", /^(wasm_bindgen\w*|js_sys|web_sys)\b/],
  ["core, alloc, std, the allocator", /^(core|alloc|std|dlmalloc|compiler_builtins|__rust|__rdl|__rg|rust_)/],
  ["data (texts, stylesheet, panic locations)", /^(data\[|data segment)/],
  ["imports, exports, tables and the rest of the module", /^(import|export|table|elem|type|global|memory|code section|wasm magic|\S*section)/i],
];

const firstCrate = (name) => {
  // `core::ptr::drop_in_place<T>`: the dropped type names the code's owner.
  const dropped = name.match(/^core::ptr::drop_in_place<&?(?:mut )?(?:dyn )?([a-z_][a-z0-9_]*)::/);
  if (dropped) return dropped[1];
  let bare = name
    .replace(/\[[0-9a-f]+\]/g, "") // crate disambiguators: core[c5930c85a12de822]
    .replace(/^<+/, "")
    .replace(/^(&|mut |dyn )+/, "");
  // `<T as tachys::…>`: the trait's crate.
  const asTrait = bare.match(/^[A-Z]\w* as ([a-z_][a-z0-9_]*)::/);
  if (asTrait) return asTrait[1];
  // `<char>::…`, `<str as …>`, `<[T]>::…`: inherent code of primitives is core's.
  if (/^(char|str|bool|u8|u16|u32|u64|usize|i32|i64|f64|\[)/.test(bare)) return "core";
  if (/^(zmij|ryu)\b/.test(bare)) return "serde_json";
  if (/^(import |elem\[|table\[|global\[|type\[)/.test(bare)) return "import";
  return bare;
};

const totals = new Map(parts.map(([label]) => [label, 0]));
totals.set("other", 0);
let all = 0;
for (const line of csv.trim().split("\n").slice(1)) {
  const match = line.match(/^"?(.*?)"?,(\d+),([\d.]+)/);
  if (!match) continue;
  const [, name, size] = match;
  // Custom sections (names, wasm-bindgen's descriptions) never ship.
  if (/^custom section|subsection$/.test(name)) continue;
  const owner = firstCrate(name);
  const part = parts.find(([, pattern]) => pattern.test(owner));
  const label = part ? part[0] : "other";
  totals.set(label, totals.get(label) + Number(size));
  all += Number(size);
}

console.log(`| part | bytes | share |`);
console.log(`| --- | --- | --- |`);
for (const [label, bytes] of [...totals].sort((a, b) => b[1] - a[1])) {
  if (bytes === 0) continue;
  console.log(`| ${label} | ${bytes.toLocaleString("en")} | ${((100 * bytes) / all).toFixed(1)} % |`);
}
console.log(`| all (wasm-bindgen's output, before wasm-opt) | ${all.toLocaleString("en")} | 100 % |`);
