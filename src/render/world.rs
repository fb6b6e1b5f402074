//! typst embedded as a library: one `World` per document, over in-memory
//! files only. Fonts and the standard library are loaded once per process
//! and shared by every document (and every rayon worker).

use std::collections::HashMap;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// The house sans-serif (Open Sans, Apache-2.0), built into the binary.
const HOUSE_FONTS: [&[u8]; 4] = [
    include_bytes!("../../assets/fonts/OpenSans-Regular.ttf"),
    include_bytes!("../../assets/fonts/OpenSans-Bold.ttf"),
    include_bytes!("../../assets/fonts/OpenSans-Italic.ttf"),
    include_bytes!("../../assets/fonts/OpenSans-Semibold.ttf"),
];

/// How many documents a cache entry may go unused before it is evicted.
/// Documents of a run share much: the funnel charts of every council (typst
/// parses each SVG once and keeps it), the fixed sentences and table
/// headings. Measured on 23 November 2026 (`scwres bench-phase typeset`,
/// 153 councils, 2 cores, several runs each, interleaved): 0 gave about
/// 6.4 s and 230 MB, 2 about 5.4 s and 245 MB, 4 about 5.5 s and 270 MB,
/// 8 about 5.7 s and 320 MB. Instructions (callgrind, 8 reports) fell 3% at
/// 2; the rest of the gain is less memory churn.
const CACHE_AGE: usize = 2;

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = HOUSE_FONTS
        .into_iter()
        .chain(typst_assets::fonts())
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The house font's regular (`bold: false`) or bold face, for measuring
/// text outside typst: the faces the reports use (the first two of
/// [`HOUSE_FONTS`], one face each).
pub(super) fn house_face(bold: bool) -> &'static typst::text::FontInstance {
    fn load(i: usize) -> typst::text::FontInstance {
        FONTS.fonts[i].clone().instantiate(
            typst::text::FontVariant::default(),
            typst::layout::Abs::pt(10.0),
            &typst::text::FontVariations::default(),
        )
    }
    static REGULAR: LazyLock<typst::text::FontInstance> = LazyLock::new(|| load(0));
    static BOLD: LazyLock<typst::text::FontInstance> = LazyLock::new(|| load(1));
    if bold { &BOLD } else { &REGULAR }
}

/// The first character of `text` that no font of the reports can print.
pub fn unprintable(text: &str) -> Option<char> {
    text.chars().find(|c| {
        !c.is_whitespace()
            && !FONTS
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(*c as u32))
    })
}

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(Library::builder().build()));

/// A typeset document: its PDF bytes.
pub struct Typeset {
    pub pdf: Vec<u8>,
}

/// What a document needs besides its source.
pub struct DocOptions<'a> {
    /// Stable identifier of the document, for a reproducible PDF.
    pub ident: &'a str,
    /// The fixed date of the document (release date).
    pub date: (i32, u8, u8),
    /// Claim and enforce PDF/UA-1.
    pub pdf_ua: bool,
}

struct Doc {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("document file names are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl World for Doc {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.files.get(&id).cloned().ok_or(FileError::AccessDenied)
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Compiles typst source with in-memory files (`name -> bytes`) to PDF.
pub fn typeset(
    source: String,
    files: &[(String, Vec<u8>)],
    opts: &DocOptions,
) -> Result<Typeset, String> {
    let (y, m, d) = opts.date;
    let doc = Doc {
        main: Source::new(file_id("/main.typ"), source),
        files: files
            .iter()
            .map(|(n, b)| (file_id(&format!("/{n}")), Bytes::new(b.clone())))
            .collect(),
        today: Datetime::from_ymd(y, m, d),
    };
    let warned = typst::compile::<PagedDocument>(&doc);
    // Trim typst's global memo cache: entries unused for the last
    // `CACHE_AGE` documents go. Measured on every council (153 reports):
    // peak memory 910 MB without, about 350 MB with, same wall time.
    typst::comemo::evict(CACHE_AGE);
    let document = warned.output.map_err(|errs| describe(&doc, &errs))?;
    let standards = if opts.pdf_ua {
        PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| e.message().to_string())?
    } else {
        PdfStandards::default()
    };
    let options = PdfOptions {
        ident: Smart::Custom(opts.ident.to_string()),
        timestamp: Datetime::from_ymd_hms(y, m, d, 9, 30, 0).map(Timestamp::new_utc),
        standards,
        ..PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errs| describe(&doc, &errs))?;
    Ok(Typeset { pdf })
}

/// typst diagnostics as one message naming the line of generated source.
fn describe(doc: &Doc, errs: &[SourceDiagnostic]) -> String {
    errs.iter()
        .map(|e| {
            let line = doc
                .range(e.span)
                .and_then(|r| doc.main.lines().byte_to_line(r.start))
                .map(|l| format!(" (generated source line {})", l + 1))
                .unwrap_or_default();
            let hints: String = e.hints.iter().map(|h| format!("; hint: {}", h.v)).collect();
            format!("{}{line}{hints}", e.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
