// The extraction page (/council/extract): the council's files are counted
// by the extraction module (WebAssembly, the same code as `scwres
// extract`) in this page. No file leaves the browser: the module has no
// way out, and this script sends only the return, and only when the
// council presses "Upload". Every value shown is set as text, never HTML.
'use strict';
(function () {
  const form = document.getElementById('extract-form');
  if (!form) return;
  document.getElementById('extract-needs-js').hidden = true;
  form.hidden = false;
  const status = document.getElementById('extract-status');
  const results = document.getElementById('extract-results');
  const upload = document.getElementById('extract-upload');
  const slots = ['staff', 'leavers', 'events', 'recruitment', 'survey', 'ethnicity_map'];

  const bar = document.getElementById('extract-bar');
  const barBox = document.getElementById('extract-progress');
  // The module runs in a worker, fetched as the page opens: counting then
  // works offline, and the page can show how far it is.
  const worker = new Worker('/assets/extract-worker.js');
  let pending = null;
  worker.onmessage = function (ev) {
    const m = ev.data;
    if (m.ready) {
      form.dataset.ready = 'yes';
      return;
    }
    if (m.progress) {
      const pc = Math.floor(100 * m.progress[0] / Math.max(1, m.progress[1]));
      bar.value = pc;
      bar.textContent = pc + '%';
      return;
    }
    if (!pending) return;
    const done = pending;
    pending = null;
    done(m);
  };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function table(caption, head, rows) {
    const wrap = el('div', null, 'table-wrap');
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    const id = 'caption-' + Math.random().toString(36).slice(2);
    wrap.setAttribute('aria-labelledby', id);
    const t = el('table', null, 'table');
    const c = el('caption', caption, 'visually-hidden');
    c.id = id;
    t.appendChild(c);
    const thead = el('thead');
    const hr = el('tr');
    head.forEach(function (h) { const th = el('th', h); th.scope = 'col'; hr.appendChild(th); });
    thead.appendChild(hr);
    t.appendChild(thead);
    const tb = el('tbody');
    rows.forEach(function (r) {
      const tr = el('tr');
      r.forEach(function (v) { tr.appendChild(el('td', v)); });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    wrap.appendChild(t);
    return wrap;
  }

  function show(answer) {
    results.replaceChildren();
    upload.hidden = true;
    document.getElementById('extract-workbook').hidden = true;
    const errors = answer.diagnostics.filter(function (d) { return d.severity === 'error'; });
    const warnings = answer.diagnostics.filter(function (d) { return d.severity !== 'error'; });
    const rows = function (list) {
      return list.map(function (d) {
        return [d.file, d.place || 'the whole file', d.value || '', d.rule, d.hint || ''];
      });
    };
    if (errors.length) {
      const s = el('div', null, 'error-summary');
      s.setAttribute('role', 'alert');
      s.tabIndex = -1;
      s.appendChild(el('h2', 'There is a problem with your files'));
      s.appendChild(el('p', errors.length + (errors.length === 1 ? ' problem' : ' problems') +
        ' to fix in your HR exports before a return can be made. Nothing was sent to the service.'));
      results.appendChild(s);
      results.appendChild(el('h2', 'Errors (' + errors.length + ')'));
      results.appendChild(table('Errors, with the file, where each is and how to fix it',
        ['File', 'Where', 'Value found', 'Problem', 'How to fix it'], rows(errors)));
      upload.hidden = true;
      s.focus();
    }
    if (warnings.length) {
      results.appendChild(el('h2', 'Warnings (' + warnings.length + ')'));
      results.appendChild(table('Warnings, with the file and where each is',
        ['File', 'Where', 'Value found', 'What to check', 'Hint'], rows(warnings)));
    }
    if (answer.csv !== null && !errors.length) {
      const p = el('div', null, 'panel');
      p.appendChild(el('h2', 'Your return is ready'));
      p.appendChild(el('p', 'Counted in your browser: no record was sent.'));
      results.insertBefore(p, results.firstChild);
      const name = form.dataset.name;
      const file = new File([answer.csv], name, { type: 'text/csv' });
      const a = el('a', 'Download the return (CSV)', 'button button-secondary');
      a.id = 'extract-download';
      a.href = URL.createObjectURL(file);
      a.download = name;
      results.appendChild(a);
      // The workbook is made by the service from the return (the counts
      // only), as the task list's workbook is.
      const workbook = document.getElementById('extract-workbook');
      document.getElementById('extract-return').value = answer.csv;
      workbook.hidden = false;
      results.appendChild(workbook);
      // The return's rows, in words: its CSV has ids (service, measure,
      // band) and counts; a blank count is one not provided.
      const words = JSON.parse(form.dataset.words);
      const bands = {};
      JSON.parse(form.dataset.bands).forEach(function (b) { bands[b.id] = b.label; });
      const said = function (id) {
        const w = words[id] || id;
        return w.charAt(0).toUpperCase() + w.slice(1);
      };
      const count = function (v) { return v === '' ? 'not provided' : v; };
      const lines = answer.csv.trim().split('\n').slice(1).map(function (l) { return l.split(','); });
      results.appendChild(el('h2', 'Your figures'));
      results.appendChild(table('The return\'s figures by service, what is counted and pay band',
        ['Service', 'What is counted', 'Pay band', 'White', 'Minoritised', 'Unknown'],
        lines.map(function (c) {
          return [said(c[2]), said(c[3]), c[4] ? (bands[c[4]] || c[4]) : '', count(c[5]), count(c[6]), count(c[7])];
        })));
      const dt = new DataTransfer();
      dt.items.add(file);
      document.getElementById('extract-file').files = dt.files;
      upload.hidden = false;
      results.appendChild(upload);
    }
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    const staffError = document.getElementById('staff-error');
    const chosen = slots.map(function (s) {
      const input = document.getElementById(s);
      return input && input.files.length ? { slot: s, file: input.files[0] } : null;
    }).filter(Boolean);
    const group = document.getElementById('staff-group');
    if (!chosen.some(function (c) { return c.slot === 'staff'; })) {
      staffError.hidden = false;
      group.classList.add('form-group-error');
      document.getElementById('staff').focus();
      return;
    }
    staffError.hidden = true;
    group.classList.remove('form-group-error');
    if (pending) return;
    status.textContent = 'Counting your records in your browser…';
    bar.value = 0;
    barBox.hidden = false;
    Promise.all(chosen.map(function (c) { return c.file.arrayBuffer(); }))
      .then(function (buffers) {
        const header = {
          authority: form.dataset.authority,
          year: Number(form.dataset.year),
          bands: JSON.parse(form.dataset.bands),
          files: chosen.map(function (c, i) {
            return { slot: c.slot, name: c.file.name, len: buffers[i].byteLength };
          })
        };
        return new Promise(function (resolve) {
          pending = resolve;
          worker.postMessage({ header: header, files: buffers }, buffers);
        });
      })
      .then(function (m) {
        barBox.hidden = true;
        if (m.failed) throw new Error(m.failed);
        status.textContent = 'Counted in ' + m.seconds.toFixed(1) + ' seconds.';
        results.dataset.counted = 'yes';
        show(m.answer);
      })
      .catch(function (e) {
        barBox.hidden = true;
        status.textContent = 'Your records could not be counted: ' + e.message +
          '. Reload the page and try again, or fill in the return workbook.';
      });
  });
})();
