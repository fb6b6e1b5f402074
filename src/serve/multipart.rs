//! `multipart/form-data` (RFC 7578), as a browser sends a form with a file:
//! parsed from the whole body (already capped in size) into its parts.
//! Anything it does not understand is refused, never guessed.

/// One part: its field name, the file name if it is a file, its bytes.
pub struct Part<'a> {
    pub name: String,
    pub file_name: Option<String>,
    pub data: &'a [u8],
}

/// The boundary of a `Content-Type: multipart/form-data; boundary=…`.
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        (!v.is_empty() && v.len() <= 70).then(|| v.to_string())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// The parts of a body, or `None` if it is not well-formed multipart.
/// At most `max_parts` parts.
pub fn parse<'a>(body: &'a [u8], boundary: &str, max_parts: usize) -> Option<Vec<Part<'a>>> {
    let delim = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let mut at = find(body, delim.as_bytes(), 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` ends the body, CRLF starts a part.
        if body[at..].starts_with(b"--") {
            return Some(parts);
        }
        if !body[at..].starts_with(b"\r\n") || parts.len() >= max_parts {
            return None;
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at)?;
        let head = std::str::from_utf8(&body[at..head_end]).ok()?;
        if head.len() > 4096 {
            return None;
        }
        let data_start = head_end + 4;
        let data_end = find(body, next.as_bytes(), data_start)?;
        let (mut name, mut file_name) = (None, None);
        for line in head.split("\r\n") {
            let (k, v) = line.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("content-disposition") {
                continue;
            }
            for p in v.split(';').skip(1) {
                let Some((pk, pv)) = p.trim().split_once('=') else {
                    continue;
                };
                let pv = pv.trim();
                let pv = pv
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(pv)
                    .to_string();
                match pk.trim().to_ascii_lowercase().as_str() {
                    "name" => name = Some(pv),
                    "filename" => file_name = Some(pv),
                    _ => {}
                }
            }
        }
        parts.push(Part {
            name: name?,
            file_name,
            data: &body[data_start..data_end],
        });
        at = data_end + next.len();
    }
}

/// The base name of an uploaded file as the council's computer named it:
/// no folders (a browser on Windows may send `C:\…\return.xlsx`), no
/// control characters, at most 100 characters.
pub fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() || clean == "." || clean == ".." {
        "upload".to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_form_is_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\Users\\\\me\\\\r.csv\"\r\nContent-Type: text/csv\r\n\r\na,b\r\n1,2\r\n\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parse(body, &b, 4).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "csrf");
        assert_eq!(parts[0].data, b"abc");
        assert_eq!(parts[1].data, b"a,b\r\n1,2\r\n");
        assert_eq!(base_name(parts[1].file_name.as_deref().unwrap()), "r.csv");
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert!(parse(b"--X\r\nno header end", "X", 4).is_none());
        assert!(parse(b"garbage", "X", 4).is_none());
        let many =
            "--X\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n".repeat(5) + "--X--";
        assert!(parse(many.as_bytes(), "X", 4).is_none());
        assert!(parse(many.as_bytes(), "X", 5).is_some());
        assert!(boundary("text/plain; boundary=X").is_none());
        assert_eq!(base_name("../..\u{0}"), "upload");
    }
}
