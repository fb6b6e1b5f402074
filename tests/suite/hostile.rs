//! Hostile files: every case gets a clear message naming the file, the
//! place and the rule, within a memory ceiling and without hanging, and the
//! other returns are still reported. The big files are made here, not
//! committed.

use crate::common::*;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Address-space ceiling of every child run here: a hostile file that made
/// the program allocate gigabytes fails the test instead of the machine.
const CEILING: u64 = 3 << 30;

/// Runs a command under the memory ceiling, killing it after a minute (a
/// guard against hangs, not a timing).
fn run(mut cmd: Command) -> Output {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs in the child.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: CEILING,
                rlim_max: CEILING,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes while waiting, so a long output never blocks the child.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            r.read_to_end(&mut v).unwrap();
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("no answer in a minute: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn validate(path: &Path) -> (i32, String) {
    let mut c = scwres();
    c.args(["validate", "--year", "2024", "--data"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
        .arg(path);
    let o = run(c);
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/examples")
        .join(name)
}

/// The example workbook with `edit` applied to its Return sheet's XML and
/// `extra` parts added.
fn workbook(edit: impl Fn(String) -> String, extra: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let bytes = std::fs::read(example("return-example.xlsx")).unwrap();
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "xl/worksheets/sheet3.xml" {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    for (name, data) in extra {
        out.start_file(*name, opts).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn expect_refused(path: &Path, words: &[&str]) {
    let (code, text) = validate(path);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("REJECTED"), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(text.contains(name.as_ref()), "names the file: {text}");
    for w in words {
        assert!(text.contains(w), "{w:?} in {text}");
    }
    assert!(
        text.len() < 20_000,
        "a short message, not the file echoed: {} bytes",
        text.len()
    );
}

#[test]
fn workbooks_with_cells_far_out_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let overflow = workbook(
        |x| {
            x.replacen(
                "<c r=\"A1\"",
                "<c r=\"ZZZZZZZZZZZZ99999999999999999999\"",
                1,
            )
        },
        &[],
    );
    expect_refused(
        &write(dir.path(), "overflow.xlsx", &overflow),
        &[
            "xl/worksheets/sheet3.xml, cell ZZZZZZZZZZZZ",
            "outside the 10000 rows",
        ],
    );
    let far = workbook(
        |x| {
            x.replace(
                "</sheetData>",
                "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
            )
        },
        &[],
    );
    expect_refused(&write(dir.path(), "far.xlsx", &far), &["cell 1048576"]);
    let dimension = workbook(
        |x| {
            x.replace(
                "<dimension ref=\"A1:",
                "<dimension ref=\"A1:XFD1048576\" x=\"",
            )
        },
        &[],
    );
    expect_refused(
        &write(dir.path(), "dimension.xlsx", &dimension),
        &["cell XFD1048576"],
    );
}

#[test]
fn a_zip_bomb_workbook_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = workbook(|x| x, &[("xl/media/bomb.bin", vec![0u8; 80 << 20])]);
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    expect_refused(
        &write(dir.path(), "bomb.xlsx", &bomb),
        &["unpacks to more than 32 MB"],
    );
}

#[test]
fn yaml_bombs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(example("return-example.yaml")).unwrap();
    let big = "x".repeat(100_000);
    let aliases = vec!["*big"; 40_000].join(", ");
    let bomb = format!("{good}\nnote: &big \"{big}\"\nnotes: [{aliases}]\n");
    expect_refused(
        &write(dir.path(), "alias.yaml", bomb.as_bytes()),
        &["anchors and aliases"],
    );
    let deep = format!("{good}\nnote: {}\n", "[".repeat(100_000));
    expect_refused(
        &write(dir.path(), "deep.yaml", deep.as_bytes()),
        &["nested deeper than 32"],
    );
}

#[test]
fn a_huge_csv_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.csv");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(200 << 20).unwrap();
    expect_refused(&p, &["larger than 1024 KB"]);
}

#[test]
fn counts_no_council_could_have_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("return-example.csv"))
        .unwrap()
        .replacen(",55,10,5", ",9007199254740993,10,5", 1);
    expect_refused(
        &write(dir.path(), "huge-counts.csv", text.as_bytes()),
        &["more than 10,000,000", "9007199254740993"],
    );
}

/// Many copies of one return: each is rejected as a duplicate, and each
/// message names a few of the others, not all of them.
#[test]
fn many_duplicates_give_short_messages() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read(example("return-example.csv")).unwrap();
    for i in 0..400 {
        write(dir.path(), &format!("copy-{i:04}.csv"), &text);
    }
    let (code, out) = validate(dir.path());
    assert_eq!(code, 1);
    assert!(
        out.contains("399 other returns for E06000003 in 2024"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(out.len() < 400 * 1000, "{} bytes", out.len());
}

/// Links and special files in the returns folder are skipped and listed,
/// never read: nothing of what they point at reaches any output.
#[test]
fn links_and_pipes_in_the_returns_folder_are_not_followed() {
    let data = fixture_copy("");
    let returns = data.path().join("returns/2024");
    let secret = tempfile::tempdir().unwrap();
    let target = write(secret.path(), "secret.csv", b"TOP-SECRET-LINE,2024\n");
    std::os::unix::fs::symlink(&target, returns.join("link.csv")).unwrap();
    let fifo = returns.join("pipe.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo has no other effect.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let out = tempfile::tempdir().unwrap();
    let mut cmd = scwres();
    cmd.args(["report", "--quiet", "--data"])
        .arg(data.path())
        .arg("--out")
        .arg(out.path());
    let o = run(cmd);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("TOP-SECRET"), "{err}");
    let dir = out.path().join("2024");
    let json = std::fs::read_to_string(dir.join("internal/validation.json")).unwrap();
    let md = std::fs::read_to_string(dir.join("internal/validation.md")).unwrap();
    for text in [&json, &md] {
        assert!(!text.contains("TOP-SECRET"));
        assert!(
            text.contains("link.csv") && text.contains("skipped: a link"),
            "{text}"
        );
        assert!(text.contains("pipe.csv") && text.contains("a device, pipe or socket"));
    }
    assert!(
        dir.join("public/local/E10000015-hertfordshire.pdf")
            .exists(),
        "the others are reported"
    );
}

/// A hostile report.yaml stops the run with the file named.
#[test]
fn a_hostile_configuration_is_refused_naming_it() {
    let data = fixture_copy("");
    let big = "x".repeat(200_000);
    let yaml = format!("publication:\n  producer: &p \"{big}\"\n  contact_name: *p\n");
    std::fs::write(data.path().join("report.yaml"), yaml).unwrap();
    let (_, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("report.yaml, line 2: YAML anchors and aliases"),
        "{err}"
    );
}

/// Characters the reports' fonts do not have, or control characters, in an
/// action plan are refused with the file and field named, before any
/// typesetting; the other councils' reports are made.
#[test]
fn unprintable_plan_text_is_refused_naming_the_field() {
    let data = fixture_copy("");
    let plan = data.path().join("actions/2024/hertfordshire.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, text.replacen("owner: ", "owner: 漢字 😀 ", 1)).unwrap();
    let (out, o) = run_report(data.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("actions/2024/hertfordshire.yaml, actions[0].owner: the character '漢' (U+6F22) cannot be printed"),
        "{err}"
    );
    assert!(!err.contains("PDF/UA"), "{err}");
    assert!(
        !out.path()
            .join("2024/public/local/E10000015-hertfordshire.pdf")
            .exists()
    );
    assert!(
        out.path()
            .join("2024/public/local/E10000012-essex.pdf")
            .exists()
    );
}

/// A damaged workbook (a cell pointing at a shared string that is not
/// there) says the Return sheet is damaged, not that it is missing.
#[test]
fn a_damaged_workbook_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let damaged = workbook(|x| x.replacen("t=\"s\"><v>", "t=\"s\"><v>99999", 1), &[]);
    let (code, text) = validate(&write(dir.path(), "damaged.xlsx", &damaged));
    assert_eq!(code, 1, "{text}");
    assert!(!text.contains("no sheet named"), "{text}");
    assert!(text.contains("the workbook is damaged"), "{text}");
}

/// A figure typed below the workbook's table is reported, not left out.
#[test]
fn a_value_below_the_workbook_table_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let below = workbook(
        |x| {
            x.replace(
                "</sheetData>",
                "<row r=\"60\"><c r=\"C60\"><v>77</v></c></row></sheetData>",
            )
        },
        &[],
    );
    expect_refused(
        &write(dir.path(), "below.xlsx", &below),
        &["Return!C60: a value below the return's table is not read"],
    );
}

/// YAML number forms the CSV refuses (`+55`, `0x37`, `0o67`, `-0`) are
/// refused in a YAML return too: one return, one verdict, any encoding.
#[test]
fn yaml_number_forms_the_csv_refuses_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(example("return-example.yaml")).unwrap();
    assert!(good.contains("white: 55,"));
    for form in ["+55", "0x37", "0o67", "-0", "5_5", ".inf"] {
        let text = good.replacen("white: 55,", &format!("white: {form},"), 1);
        let name = format!("form-{}.yaml", form.replace(['+', '.'], "p"));
        expect_refused(
            &write(dir.path(), &name, text.as_bytes()),
            &[&format!("(found \"{form}\")")],
        );
    }
}

/// A council code with a character outside ASCII (a byte boundary inside
/// it) is refused naming it, not a panic of the whole run.
#[test]
fn a_council_code_with_any_character_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("return-example.csv"))
        .unwrap()
        .replace("E06000003", "E0é00000");
    expect_refused(
        &write(dir.path(), "accented-code.csv", text.as_bytes()),
        &["line 2, column 1", "not a council GSS code", "E0é00000"],
    );
}

/// Counts in a benchmarks file are bounded as a return's are: a population
/// near 2^64 (which would overflow a sum) is refused naming the line.
#[test]
fn benchmarks_counts_no_release_could_have_are_refused() {
    let (out, _) = read_report(&fixture("basic"));
    let good = std::fs::read_to_string(out.path().join("2024/public/benchmarks.csv")).unwrap();
    let mut lines: Vec<String> = good.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    assert_eq!(cells[1], "national");
    cells[7] = "18446744073709551000".into();
    lines[1] = cells.join(",");
    let err =
        scwres::load::benchmarks::read("benchmarks.csv", (lines.join("\n") + "\n").as_bytes())
            .unwrap_err();
    assert!(
        err.contains("benchmarks.csv, line 2") && err.contains("18446744073709551000"),
        "{err}"
    );
}

/// Old, macro-enabled and other spreadsheet formats are refused saying how
/// to save the return, not skipped with the run reporting it valid.
#[test]
fn spreadsheets_in_formats_not_read_are_refused_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(example("return-example.xlsx")).unwrap();
    for ext in ["xls", "xlsm", "xlsb", "ods"] {
        let p = write(dir.path(), &format!("return.{ext}"), &bytes);
        expect_refused(
            &p,
            &["cannot be read", "save it as an Excel Workbook (.xlsx)"],
        );
    }
    let mut c = scwres();
    c.args(["validate", "--year", "2024", "--format", "json", "--data"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
        .arg(dir.path().join("return.xls"));
    let o = run(c);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["valid"], false, "{json}");
}

/// What Excel and HR systems write: CRLF line ends keep true line numbers,
/// lone-CR line ends (Excel for Mac) and UTF-16 with a byte-order mark
/// (Excel's "Unicode Text") are read as the same return, not as nothing.
#[test]
fn line_ends_and_utf16_are_read_as_excel_means_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example("return-example.csv")).unwrap();
    // A bad value on line 3, in a CRLF file: the message says line 3.
    let bad: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 2 {
                l.replacen(",47,", ",x,", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(bad[2].contains(",x,"), "{}", bad[2]);
    let p = write(dir.path(), "crlf.csv", bad.join("\r\n").as_bytes());
    expect_refused(&p, &["line 3, column 6 (white)", "\"x\""]);

    let lone_cr = text.replace('\n', "\r");
    let (code, out) = validate(&write(dir.path(), "mac.csv", lone_cr.as_bytes()));
    assert_eq!(code, 0, "{out}");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let (code, out) = validate(&write(dir.path(), "unicode.csv", &utf16));
    assert_eq!(code, 0, "{out}");
}
