//! The national tables as bytes: tidy CSV and the accessible workbook.
//! Pure: returns bytes.

use crate::config::Config;
use crate::view::tables::{TCell, Table, notes};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, Table as XTable, TableColumn, Workbook, XlsxError,
};

/// A table as tidy CSV: one header row, shorthand as text, numbers at the
/// published precision the cells hold.
pub fn csv(t: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&t.header).expect("writing to memory");
    for r in &t.rows {
        let rec: Vec<String> = r
            .iter()
            .map(|c| match c {
                TCell::Text(s) => s.clone(),
                TCell::Count(n) => format!("{}", *n as i64),
                TCell::Ratio(x) => format!("{x:.2}"),
                TCell::Share(x) => format!("{x:.3}"),
            })
            .collect();
        w.write_record(&rec).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// The accessible workbook of all tables.
pub fn xlsx(tables: &[Table], config: &Config, year: i32) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let date = config.publication.release_date;
    let (y, m, d) = (date.year, date.month, date.day);
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("SC-WRES national tables {year}"))
            .set_author(&config.publication.producer)
            .set_creation_datetime(&ExcelDateTime::from_ymd(y.clamp(1900, 9999) as u16, m, d)?),
    );
    let title = Format::new().set_bold().set_font_size(15);
    let wrap = Format::new().set_text_wrap();
    let count = Format::new().set_num_format("#,##0");
    let ratio = Format::new().set_num_format("0.00");
    let share = Format::new().set_num_format("0.0%");
    let p = &config.publication;

    let cover = wb.add_worksheet().set_name("Cover")?;
    cover.set_column_width(0, 110)?;
    cover.write_string_with_format(
        0,
        0,
        format!("Social Care Workforce Race Equality Standard: national tables, {year}"),
        &title,
    )?;
    let mut lines = vec![
        "These tables hold every figure of the national SC-WRES report. They name no council.".to_string(),
        format!("Published {} by {}.", p.release_date, p.producer),
        format!("Contact: {}, {}.", p.contact_name, p.contact_email),
        "Source: SC-WRES data returns from participating councils.".into(),
        "Shorthand: [c] confidential (withheld to protect staff), [x] not available (not provided or not calculable), [z] not applicable.".into(),
        "The notes cited in table titles and headers as [note N] are on the Notes sheet.".into(),
    ];
    if config.synthetic {
        lines.insert(0, "SYNTHETIC DEMO DATA: these tables describe no real council and no real member of staff.".into());
    }
    for (i, l) in lines.iter().enumerate() {
        cover.write_string_with_format(1 + i as u32, 0, l, &wrap)?;
    }

    let contents = wb.add_worksheet().set_name("Contents")?;
    contents.set_column_width(0, 14)?;
    contents.set_column_width(1, 100)?;
    contents.write_string_with_format(0, 0, "Contents", &title)?;
    contents.write_string(1, 0, "This worksheet contains one table.")?;
    contents.write_string(2, 0, "Sheet name")?;
    contents.write_string(2, 1, "Table title")?;
    for (i, t) in tables.iter().enumerate() {
        contents.write_string(3 + i as u32, 0, &t.sheet)?;
        contents.write_string(3 + i as u32, 1, &t.title)?;
    }
    contents.add_table(
        2,
        0,
        2 + tables.len() as u32,
        1,
        &XTable::new().set_name("contents").set_columns(&[
            TableColumn::new().set_header("Sheet name"),
            TableColumn::new().set_header("Table title"),
        ]),
    )?;

    let notes_ws = wb.add_worksheet().set_name("Notes")?;
    notes_ws.set_column_width(0, 12)?;
    notes_ws.set_column_width(1, 110)?;
    notes_ws.write_string_with_format(0, 0, "Notes", &title)?;
    notes_ws.write_string(1, 0, "This worksheet contains one table.")?;
    let notes = notes(config);
    for (i, n) in notes.iter().enumerate() {
        notes_ws.write_string(3 + i as u32, 0, format!("note {}", i + 1))?;
        notes_ws.write_string_with_format(3 + i as u32, 1, n, &wrap)?;
    }
    notes_ws.add_table(
        2,
        0,
        2 + notes.len() as u32,
        1,
        &XTable::new().set_name("notes").set_columns(&[
            TableColumn::new().set_header("Note number"),
            TableColumn::new().set_header("Note text"),
        ]),
    )?;

    for t in tables {
        let ws = wb.add_worksheet().set_name(&t.sheet)?;
        ws.write_string_with_format(0, 0, &t.title, &title)?;
        ws.write_string(
            1,
            0,
            "This worksheet contains one table. Notes are on the Notes sheet.",
        )?;
        let top = 2u32;
        for (c, h) in t.header.iter().enumerate() {
            ws.set_column_width(
                c as u16,
                if c == 1 || (c == 3 && t.sheet == "Table_2") {
                    40
                } else {
                    16
                },
            )?;
            ws.write_string(top, c as u16, h)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = top + 1 + i as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    TCell::Text(s) => ws.write_string(r, c, s)?,
                    TCell::Count(n) => ws.write_number_with_format(r, c, *n, &count)?,
                    TCell::Ratio(x) => ws.write_number_with_format(r, c, *x, &ratio)?,
                    TCell::Share(x) => ws.write_number_with_format(r, c, *x, &share)?,
                };
            }
        }
        let columns: Vec<TableColumn> = t
            .header
            .iter()
            .map(|h| TableColumn::new().set_header(h))
            .collect();
        let last = top + t.rows.len().max(1) as u32;
        ws.add_table(
            top,
            0,
            last,
            t.header.len() as u16 - 1,
            &XTable::new()
                .set_name(t.sheet.to_lowercase())
                .set_columns(&columns),
        )?;
    }
    wb.save_to_buffer()
}
