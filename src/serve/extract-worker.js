// The extraction page's worker: the module (the same code as `scwres
// extract`, compiled to WebAssembly) counts the council's files here, off
// the page's thread, so the page can show how far it is. It is fetched
// when the page opens; counting then works offline. Nothing here sends
// anything: the page gets the answer back and decides.
'use strict';
const never = new Proxy({}, {
  get: function (_, name) {
    return function () { throw new Error('the module called ' + String(name)); };
  }
});
let last = 0;
const ready = fetch('/assets/extract.wasm', { credentials: 'same-origin' })
  .then(function (r) {
    if (!r.ok) throw new Error('the counting module could not be loaded (' + r.status + ')');
    return r.arrayBuffer();
  })
  .then(function (b) {
    return WebAssembly.instantiate(b, {
      __wbindgen_placeholder__: never,
      __wbindgen_externref_xform__: never,
      scwres: {
        progress: function (done, total) {
          const now = Date.now();
          if (now - last > 100 || done >= total) {
            last = now;
            postMessage({ progress: [done, total] });
          }
        }
      }
    });
  })
  .then(function (m) { return m.instance.exports; });
// The page is told when the module is ready: from then on, counting needs
// no connection.
ready.then(function () { postMessage({ ready: true }); }, function () {});

function run(x, header, files) {
  const json = new TextEncoder().encode(JSON.stringify(header));
  let total = 4 + json.length;
  files.forEach(function (f) { total += f.byteLength; });
  const at = x.alloc(total);
  new DataView(x.memory.buffer).setUint32(at, json.length, true);
  const mem = new Uint8Array(x.memory.buffer, at, total);
  mem.set(json, 4);
  let k = 4 + json.length;
  files.forEach(function (f) { mem.set(new Uint8Array(f), k); k += f.byteLength; });
  const started = performance.now();
  x.run(at, total);
  const seconds = (performance.now() - started) / 1000;
  const out = new Uint8Array(x.memory.buffer, x.answer_ptr(), x.answer_len());
  return { answer: JSON.parse(new TextDecoder().decode(out)), seconds: seconds };
}

onmessage = function (ev) {
  ready
    .then(function (x) { postMessage(run(x, ev.data.header, ev.data.files)); })
    .catch(function (e) { postMessage({ failed: e.message }); });
};
