//! Text as Excel, Notepad and HR systems write it, for every text input
//! (CSV returns, staff records, action plans, ethnicity maps, report.yaml):
//! UTF-8 with or without a byte-order mark, UTF-16 with one; line ends LF,
//! CRLF or a lone CR (Excel for Mac's "CSV (Macintosh)"). Anything else is
//! refused with the line, the byte found and how to save the file as UTF-8.
//! Every line end becomes LF, so line numbers are the file's own whatever
//! the line ends.

use std::borrow::Cow;
use std::io::Read;

/// Why bytes are not text we read, with where and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    /// `line 7`.
    pub place: String,
    /// `byte 0xA3 (a £ sign in Windows-1252)`.
    pub value: String,
    pub hint: String,
}

impl NotText {
    pub fn rule(&self) -> &'static str {
        "the file is not UTF-8 text"
    }

    /// The diagnostic of file `shown`.
    pub fn diagnostic(self, shown: &str) -> crate::diag::Diagnostic {
        crate::diag::Diagnostic::error(shown, self.place.clone(), self.rule())
            .value(self.value)
            .hint(self.hint)
    }
}

/// How to save as UTF-8 from what councils use.
pub const SAVE_AS_UTF8: &str = "in Excel choose Save As, \"CSV UTF-8 (Comma delimited) (*.csv)\"; in Notepad choose Save As with Encoding \"UTF-8\"";

/// The text of `bytes` with line ends made LF where a CR stood alone and a
/// UTF-8 byte-order mark dropped.
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, NotText> {
    let text: Cow<str> = match utf16(bytes) {
        Some(t) => Cow::Owned(t),
        None => Cow::Borrowed(std::str::from_utf8(bytes).map_err(|e| {
            not_utf8(
                bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64
                    + 1,
                bytes[e.valid_up_to()],
            )
        })?),
    };
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{feff}').unwrap_or(t)),
        Cow::Owned(t) => Cow::Owned(t.strip_prefix('\u{feff}').unwrap_or(&t).to_string()),
    };
    if text.contains('\r') {
        Ok(Cow::Owned(to_lf(&text)))
    } else {
        Ok(text)
    }
}

/// The refusal for a byte that is not UTF-8 on `line`.
pub fn not_utf8(line: u64, byte: u8) -> NotText {
    // Windows-1252 is what Excel writes for "CSV (Comma delimited)".
    let guess = match byte {
        0xA3 => " (a £ sign in Windows-1252)",
        0x80 => " (a € sign in Windows-1252)",
        0x92 | 0x91 => " (a curly apostrophe in Windows-1252)",
        0x93 | 0x94 => " (a curly quote in Windows-1252)",
        0x96 | 0x97 => " (a dash in Windows-1252)",
        0xA0 => " (a no-break space in Windows-1252)",
        0xC0..=0xFF => " (an accented letter in Windows-1252 or ISO-8859-1)",
        _ => "",
    };
    NotText {
        place: format!("line {line}"),
        value: format!("byte 0x{byte:02X}{guess}"),
        hint: SAVE_AS_UTF8.into(),
    }
}

/// The text of a UTF-16 file with a byte-order mark; `None` for any other.
pub fn utf16(bytes: &[u8]) -> Option<String> {
    let le = bytes.starts_with(&[0xFF, 0xFE]);
    if !le && !bytes.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect(),
    )
}

/// Every line end made LF: CRLF and a lone CR alike (inside a quoted CSV
/// field too, as Excel reads a line break in a cell), so that what is read
/// never depends on the line ends. Line numbers are unchanged.
pub fn to_lf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// A reader that makes every line end LF ([`to_lf`]) in the bytes it
/// passes, for files too large to hold as text.
pub struct Lf<R> {
    inner: R,
    buf: Vec<u8>,
    /// The last byte read was a CR (already passed on as LF): an LF right
    /// after it is dropped.
    after_cr: bool,
}

impl<R: Read> Lf<R> {
    pub fn new(inner: R) -> Self {
        Lf {
            inner,
            buf: Vec::new(),
            after_cr: false,
        }
    }
}

impl<R: Read> Read for Lf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if out.is_empty() {
                return Ok(0);
            }
            self.buf.resize(out.len(), 0);
            let got = self.inner.read(&mut self.buf)?;
            if got == 0 {
                return Ok(0);
            }
            let mut n = 0;
            for &b in &self.buf[..got] {
                match b {
                    b'\n' if self.after_cr => self.after_cr = false,
                    b'\r' => {
                        out[n] = b'\n';
                        n += 1;
                        self.after_cr = true;
                    }
                    _ => {
                        out[n] = b;
                        n += 1;
                        self.after_cr = false;
                    }
                }
            }
            // A chunk that was one dropped LF gives nothing: read on.
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(bytes: &[u8], chunk: usize) -> Vec<u8> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        let mut r = Lf::new(Chunks(bytes, chunk));
        let mut buf = vec![0u8; chunk.max(1)];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    }

    #[test]
    fn every_line_end_becomes_lf_at_every_chunk_boundary() {
        let input = b"a,b\rc,d\r\ne\r\r\nf\r\n\ng\r";
        let want = b"a,b\nc,d\ne\n\nf\n\ng\n";
        for chunk in 1..=input.len() + 1 {
            assert_eq!(through(input, chunk), want, "chunk {chunk}");
        }
        assert_eq!(to_lf("a\rb\r\nc\r"), "a\nb\nc\n");
    }

    #[test]
    fn encodings() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb").unwrap(), "a\nb");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("x,£\r".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le).unwrap(), "x,£\n");
        let e = decode(b"a\nb\n\xA3 5").unwrap_err();
        assert_eq!(e.place, "line 3");
        assert!(e.value.contains("0xA3") && e.value.contains("£"), "{e:?}");
        assert!(e.hint.contains("CSV UTF-8"));
    }
}
