// The browser's extraction, timed in Debian's chromium: a benchmark, not a
// test (docs/performance.md).
//
//   scwres bench-data --people 100000 --data DIR
//   node tests/browser/bench_extract.mjs "$(.ci/wasm)" DIR [RUNS]
//
// The module and the five record files are served to a page from disk (no
// network); each run counts them in the page, as the extraction page does,
// and the time is the page's own clock around the module's run (reading
// the files into memory excluded, as a council's browser has them from its
// file chooser). Prints one JSON line a run and a summary.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const [modulePath, dir, runsArg] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node bench_extract.mjs MODULE RECORDS_DIR [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg || 3);
const SLOTS = ["staff", "leavers", "events", "recruitment", "survey"];
const people = readFileSync(`${dir}/staff.csv`, "utf8").split("\n").filter((l) => l.trim()).length - 1;
const browser = await chromium.launch({
  executablePath: process.env.SCWRES_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const context = await browser.newContext();
await context.route("http://bench.invalid/**", (route) => {
  const name = new URL(route.request().url()).pathname.slice(1);
  if (name === "") return route.fulfill({ contentType: "text/html", body: "<!doctype html><title>bench</title>" });
  const body = name === "extract.wasm" ? readFileSync(modulePath) : readFileSync(`${dir}/${name}`);
  return route.fulfill({ contentType: name.endsWith(".wasm") ? "application/wasm" : "text/csv", body });
});
const page = await context.newPage();
await page.goto("http://bench.invalid/");
const times = [];
for (let i = 0; i < runs; i++) {
  const r = await page.evaluate(async (slots) => {
    const never = new Proxy({}, { get: () => () => { throw new Error("called"); } });
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/extract.wasm"), {
      __wbindgen_placeholder__: never,
      __wbindgen_externref_xform__: never,
  scwres: { progress: () => {} },
    });
    const x = instance.exports;
    const files = await Promise.all(slots.map((s) => fetch(`/${s}.csv`).then((r) => r.arrayBuffer())));
    const started = performance.now();
    const header = new TextEncoder().encode(JSON.stringify({
      authority: "E06000042",
      year: 2024,
      bands: [
        { id: "under_30k", label: "Less than £30,000", min_salary: 0 },
        { id: "30k_to_69k", label: "£30,000 to £69,999", min_salary: 30000 },
        { id: "70k_plus", label: "£70,000 and over", min_salary: 70000 },
      ],
      files: slots.map((s, k) => ({ slot: s, name: `${s}.csv`, len: files[k].byteLength })),
    }));
    const total = 4 + header.length + files.reduce((n, f) => n + f.byteLength, 0);
    const at = x.alloc(total);
    new DataView(x.memory.buffer).setUint32(at, header.length, true);
    const mem = new Uint8Array(x.memory.buffer, at, total);
    mem.set(header, 4);
    let k = 4 + header.length;
    for (const f of files) { mem.set(new Uint8Array(f), k); k += f.byteLength; }
    x.run(at, total);
    const answer = JSON.parse(new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.answer_ptr(), x.answer_len())));
    return { seconds: (performance.now() - started) / 1000, ok: answer.csv !== null, problems: answer.diagnostics.length, memory_mb: x.memory.buffer.byteLength / 1048576 };
  }, SLOTS);
  times.push(r.seconds);
  console.log(JSON.stringify({ run: i + 1, people, ...r }));
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ people, runs, median_seconds: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] }));
await browser.close();
