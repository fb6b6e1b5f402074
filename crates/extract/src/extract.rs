//! One extraction, for the command line and the browser alike: a council's
//! record files as named bytes, its ethnicity map and the year's pay bands
//! in; the return (if every file was sound) and every problem out. The
//! caller reads the files and writes the return; this only counts.

use crate::diag::Diagnostic;
use crate::indicators::Band;
use crate::model::Return;
use crate::records::count::{self, Inputs};
use crate::records::vocab::{self, EthnicityMap};
use crate::records::{self, Format, Records};

/// A file as given: the name shown in every message, and its bytes
/// (`None`: given, but the caller could not read it and said why).
pub struct Named<'a> {
    pub shown: &'a str,
    pub bytes: Option<&'a [u8]>,
}

/// How the caller asks for a file, for the hint when one is missing: the
/// command line's option (`--leavers FILE`) or the page's file chooser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asking {
    Options,
    Page,
}

/// What to extract.
pub struct Request<'a> {
    pub authority: &'a str,
    pub year: i32,
    pub bands: &'a [Band],
    pub staff: Named<'a>,
    pub leavers: Option<Named<'a>>,
    pub events: Option<Named<'a>>,
    pub recruitment: Option<Named<'a>>,
    pub survey: Option<Named<'a>>,
    /// The council's own ethnicity map (YAML), added to the built-in one.
    pub ethnicity_map: Option<Named<'a>>,
    pub asking: Asking,
}

/// The return, only if nothing was an error, and every diagnostic in the
/// order found (the map, each file as read, the counting, then the files
/// not given).
pub struct Extracted {
    pub ret: Option<Return>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A file read, or why not (`Err` holds its problems; a file the caller
/// could not read has none here).
pub type Read = Result<Records, Vec<Diagnostic>>;

/// Reads one file (bytes to records): each file on its own, so that a
/// caller with threads (the command line) may read them at once.
pub fn read(f: &Named, columns: &[&str]) -> Read {
    read_with(f, columns, &mut |_| {})
}

/// [`read`], telling `progress` how many of its bytes are read.
pub fn read_with(f: &Named, columns: &[&str], progress: &mut dyn FnMut(u64)) -> Read {
    let Some(bytes) = f.bytes else {
        return Err(Vec::new());
    };
    let Some(format) = Format::of(f.shown) else {
        return Err(records::not_records(f.shown));
    };
    records::parse_with(bytes, format, f.shown, columns, progress)
}

/// The columns each slot's file needs, in the order of [`Read`]s:
/// staff, leavers, events, recruitment, survey.
pub const COLUMNS: [&[&str]; 5] = [
    count::STAFF,
    count::LEAVERS,
    count::EVENTS,
    count::RECRUITMENT,
    count::SURVEY,
];

/// Counts a council's records into its return, reading its files one
/// after another.
pub fn extract(req: &Request) -> Extracted {
    extract_with(req, &mut |_, _| {})
}

/// [`extract`], telling `progress` how many bytes of all the files are
/// read, and of how many (reading is most of the time).
pub fn extract_with(req: &Request, progress: &mut dyn FnMut(u64, u64)) -> Extracted {
    let files = [
        Some(&req.staff),
        req.leavers.as_ref(),
        req.events.as_ref(),
        req.recruitment.as_ref(),
        req.survey.as_ref(),
    ];
    let total: u64 = files
        .iter()
        .flatten()
        .map(|f| f.bytes.map_or(0, |b| b.len() as u64))
        .sum();
    let mut before = 0;
    let read_all: Vec<Option<Read>> = files
        .iter()
        .zip(COLUMNS)
        .map(|(f, columns)| {
            f.map(|f| {
                let r = read_with(f, columns, &mut |at| progress(before + at, total));
                before += f.bytes.map_or(0, |b| b.len() as u64);
                r
            })
        })
        .collect();
    extract_read(req, read_all)
}

/// Counts a council's records already read ([`read`], one for each file
/// the request gives, in the order of [`COLUMNS`]; `None` for a file not
/// given).
pub fn extract_read(req: &Request, read_all: Vec<Option<Read>>) -> Extracted {
    let mut diags = Vec::new();
    let mut map = EthnicityMap::builtin();
    if let Some(Named {
        shown,
        bytes: Some(bytes),
    }) = &req.ethnicity_map
    {
        match vocab::map_file(bytes, shown) {
            Ok(entries) => map.extend(entries),
            Err(d) => diags.extend(d),
        }
    }
    // A file that could not be read is counted as absent, so that the
    // others' problems are listed too; no return is given in any case.
    let mut got = read_all.into_iter().map(|r| match r {
        Some(Ok(records)) => Some(records),
        Some(Err(d)) => {
            diags.extend(d);
            None
        }
        None => None,
    });
    let mut next = || got.next().flatten();
    let (staff, leavers, events, recruitment, survey) = (next(), next(), next(), next(), next());
    let Some(staff) = staff else {
        return Extracted {
            ret: None,
            diagnostics: diags,
        };
    };
    let inputs = Inputs {
        staff,
        leavers,
        events,
        recruitment,
        survey,
    };
    let (ret, found) = count::extract(req.authority, req.year, &inputs, &map, req.bands);
    diags.extend(found);
    let given = [
        req.leavers.is_some(),
        req.events.is_some(),
        req.recruitment.is_some(),
        req.survey.is_some(),
    ];
    for ((flag, measures), given) in count::OPTIONAL.iter().zip(given) {
        if given {
            continue;
        }
        let ids: Vec<&str> = measures.iter().map(|m| m.id()).collect();
        let noun = flag.trim_start_matches('-');
        let (rule, hint) = match req.asking {
            Asking::Options => (
                format!(
                    "no {flag} file: {} left blank (not provided)",
                    ids.join(", ")
                ),
                format!("give {flag} FILE to count them"),
            ),
            Asking::Page => (
                format!(
                    "no {noun} file: {} left blank (not provided)",
                    ids.join(", ")
                ),
                format!("choose the {noun} file to count them"),
            ),
        };
        diags.push(Diagnostic::warning(&inputs.staff.shown, "", rule).hint(hint));
    }
    let ret = ret.filter(|_| diags.iter().all(|d| !d.is_error()));
    Extracted {
        ret,
        diagnostics: diags,
    }
}
