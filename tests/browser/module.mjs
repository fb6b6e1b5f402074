// Runs the extraction module (WebAssembly) on cases of files, as the
// extraction page does, and prints each case's answer as one JSON line:
//
//   node module.mjs MODULE CASES_JSON
//
// CASES_JSON: {"authority", "year", "bands", "cases": [{"name", "files":
// [{"slot", "name", "path"}]}]}. Used by tests/service/extract.rs to
// compare the module with `scwres extract`, case by case.
import { readFileSync } from "node:fs";

const [modulePath, casesPath] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(casesPath, "utf8"));
const never = new Proxy({}, { get: (_, name) => () => { throw new Error("the module called " + String(name)); } });
const { instance } = await WebAssembly.instantiate(readFileSync(modulePath), {
  __wbindgen_placeholder__: never,
  __wbindgen_externref_xform__: never,
  scwres: { progress: () => {} },
});
const x = instance.exports;
for (const c of spec.cases) {
  const files = c.files.map((f) => ({ ...f, data: readFileSync(f.path) }));
  const header = new TextEncoder().encode(JSON.stringify({
    authority: spec.authority,
    year: spec.year,
    bands: spec.bands,
    files: files.map((f) => ({ slot: f.slot, name: f.name, len: f.data.length })),
  }));
  const total = 4 + header.length + files.reduce((n, f) => n + f.data.length, 0);
  const at = x.alloc(total);
  new DataView(x.memory.buffer).setUint32(at, header.length, true);
  const mem = new Uint8Array(x.memory.buffer, at, total);
  mem.set(header, 4);
  let k = 4 + header.length;
  for (const f of files) { mem.set(f.data, k); k += f.data.length; }
  x.run(at, total);
  const answer = new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.answer_ptr(), x.answer_len()));
  console.log(JSON.stringify({ name: c.name, answer: JSON.parse(answer) }));
}
