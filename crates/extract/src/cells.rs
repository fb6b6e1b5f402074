//! How a spreadsheet cell that is not plain text is shown as text, and the
//! one calendar of the program (Excel date cells, the service's timestamps).

/// How the text of a date cell begins (`date 2024-04-03`).
pub const DATE_CELL: &str = "date ";

/// How the text of a formula cell with no saved value begins
/// (`formula =SUM(C7:E7)`): a file written by a program, not by Excel,
/// often has none, and the cell would otherwise read as blank.
pub const FORMULA_CELL: &str = "formula ";

/// An Excel date serial (1900 date system, days from 1899-12-30) as
/// `YYYY-MM-DD`.
pub fn excel_date(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return format!("(serial {serial})");
    }
    // Days from 1970-01-01, then the civil date.
    let (y, m, d) = civil_date(serial.floor() as i64 - 25_569);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The civil date (year, month 1 to 12, day) of a count of days from
/// 1970-01-01, by Howard Hinnant's algorithm.
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_serials_are_civil_dates() {
        // 1 January 1970 is serial 25569; 29 February 2024 is 45351.
        assert_eq!(super::excel_date(25_569.0), "1970-01-01");
        assert_eq!(super::excel_date(45_351.0), "2024-02-29");
        assert_eq!(super::excel_date(f64::NAN), "(serial NaN)");
    }
}
