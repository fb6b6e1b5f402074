//! Number and date formatting shared by charts, templates, tables and readers.

/// `1234567` as `1,234,567`.
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A decimal with ten significant digits (docs/specification.md asks for at least six);
/// empty for a value that is not finite.
pub fn decimal(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { "0".into() } else { String::new() };
    }
    let magnitude = x.abs().log10().floor() as i32;
    let dp = (9 - magnitude).max(0) as usize;
    format!("{x:.dp$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_ten_significant_digits() {
        assert_eq!(decimal(0.0), "0");
        assert_eq!(decimal(f64::NAN), "");
        assert_eq!(decimal(1.0 / 3.0), "0.3333333333");
        assert_eq!(decimal(1234.5), "1234.500000");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1234), "-1,234");
    }
}

/// The civil date of a count of days from 1970-01-01: the one calendar of
/// the program, the extraction core's.
pub use scwres_extract::cells::civil_date;
