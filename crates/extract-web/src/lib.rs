//! The extraction core for the council's browser, as a WebAssembly module
//! with no imports and no JavaScript glue: the page's script (the service's
//! `extract.js`) copies one request into the module's memory and reads one
//! answer back. Nothing here reaches outside the module: the records are
//! counted where they are.
//!
//! While it reads, the module calls the page's `scwres.progress(done,
//! total)` (bytes of the files read, of all of them), its one import.
//!
//! The request: a little-endian `u32` length, that many bytes of JSON
//! ([`Header`]), then each file's bytes one after another, in the order and
//! lengths the header gives. The answer: JSON ([`Answer`]).

use scwres_extract::diag::Diagnostic;
use scwres_extract::extract::{Asking, Named, Request, extract_with};
use scwres_extract::indicators::Band;
use scwres_extract::model::Return;
use serde::{Deserialize, Serialize};

/// What the page asks: the council, the year and its pay bands (from the
/// service), and the files chosen, by slot.
#[derive(Deserialize)]
pub struct Header {
    pub authority: String,
    pub year: i32,
    pub bands: Vec<Band>,
    pub files: Vec<File>,
}

/// One file: its slot (`staff`, `leavers`, `events`, `recruitment`,
/// `survey`, `ethnicity_map`), its name as chosen, and its length.
#[derive(Deserialize)]
pub struct File {
    pub slot: String,
    pub name: String,
    pub len: usize,
}

/// What the page shows and offers: the return as its canonical CSV (only if
/// nothing was an error), its counts, and every problem.
#[derive(Serialize)]
pub struct Answer {
    pub csv: Option<String>,
    #[serde(rename = "return")]
    pub ret: Option<Return>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs one request (see the crate's documentation) to its answer.
pub fn answer(request: &[u8]) -> Answer {
    answer_with(request, &mut |_, _| {})
}

/// [`answer`], telling `progress` how many bytes of the files are read, of
/// how many.
pub fn answer_with(request: &[u8], progress: &mut dyn FnMut(u64, u64)) -> Answer {
    match run(request, progress) {
        Ok(a) => a,
        Err(rule) => Answer {
            csv: None,
            ret: None,
            diagnostics: vec![Diagnostic::error("(page)", "", rule)],
        },
    }
}

fn run(request: &[u8], progress: &mut dyn FnMut(u64, u64)) -> Result<Answer, String> {
    let bad = || "the page's request to the module is malformed".to_string();
    let n = u32::from_le_bytes(
        request
            .get(..4)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    ) as usize;
    let json = request.get(4..4 + n).ok_or_else(bad)?;
    let header: Header = serde_json::from_slice(json).map_err(|e| format!("{} ({e})", bad()))?;
    let mut at = 4 + n;
    let mut files: Vec<(&str, Named)> = Vec::new();
    for f in &header.files {
        let bytes = request.get(at..at + f.len).ok_or_else(bad)?;
        at += f.len;
        files.push((
            f.slot.as_str(),
            Named {
                shown: &f.name,
                bytes: Some(bytes),
            },
        ));
    }
    let mut take = |slot: &str| {
        files
            .iter()
            .position(|(s, _)| *s == slot)
            .map(|k| files.remove(k).1)
    };
    let Some(staff) = take("staff") else {
        return Err("choose the staff file: it is the one file needed".into());
    };
    let req = Request {
        authority: &header.authority,
        year: header.year,
        bands: &header.bands,
        staff,
        leavers: take("leavers"),
        events: take("events"),
        recruitment: take("recruitment"),
        survey: take("survey"),
        ethnicity_map: take("ethnicity_map"),
        asking: Asking::Page,
    };
    let out = extract_with(&req, progress);
    let csv = out
        .ret
        .as_ref()
        .map(|r| String::from_utf8_lossy(&scwres_extract::return_file::csv(r)).into_owned());
    Ok(Answer {
        csv,
        ret: out.ret,
        diagnostics: out.diagnostics,
    })
}

/// The module's interface to the page's script.
#[cfg(target_arch = "wasm32")]
mod exports {
    use std::cell::RefCell;

    thread_local! {
        static ANSWER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }

    // The page's one function the module calls: how far the reading is
    // (bytes read, of all the files' bytes), for its progress bar.
    #[link(wasm_import_module = "scwres")]
    unsafe extern "C" {
        fn progress(done: f64, total: f64);
    }

    /// Room for a request of `len` bytes; the script writes it there.
    #[unsafe(no_mangle)]
    pub extern "C" fn alloc(len: usize) -> *mut u8 {
        let mut v = Vec::<u8>::with_capacity(len);
        let p = v.as_mut_ptr();
        std::mem::forget(v);
        p
    }

    /// Gives back a request's room once it is read.
    ///
    /// # Safety
    /// `ptr` and `len` are exactly as from [`alloc`], once.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn free(ptr: *mut u8, len: usize) {
        drop(unsafe { Vec::from_raw_parts(ptr, 0, len) });
    }

    /// Runs the request of `len` bytes at `ptr` (which it frees); the
    /// answer is then at [`answer_ptr`], [`answer_len`] bytes long.
    ///
    /// # Safety
    /// `ptr` and `len` are exactly as from [`alloc`], filled by the script.
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn run(ptr: *mut u8, len: usize) {
        let request = unsafe { Vec::from_raw_parts(ptr, len, len) };
        let answer = super::answer_with(&request, &mut |done, total| unsafe {
            progress(done as f64, total as f64)
        });
        drop(request);
        let json = serde_json::to_vec(&answer).unwrap_or_else(|e| {
            format!("{{\"csv\":null,\"return\":null,\"diagnostics\":[],\"failed\":\"{e}\"}}")
                .into_bytes()
        });
        ANSWER.with(|a| *a.borrow_mut() = json);
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn answer_ptr() -> *const u8 {
        ANSWER.with(|a| a.borrow().as_ptr())
    }

    #[unsafe(no_mangle)]
    pub extern "C" fn answer_len() -> usize {
        ANSWER.with(|a| a.borrow().len())
    }
}
