//! The blank return workbook (`scwres template`): a cover sheet with the
//! instructions and the definition of every measure (from the one indicator
//! table), the Return sheet laid out as `load::workbook` reads it, the
//! Action plan sheet as `load::plan_sheet` reads it, and a hidden list of
//! council codes for the drop-down. Pure: returns bytes.

use crate::indicators::{Band, INDICATORS, Measure};
use crate::load::plan_sheet::{
    PLAN_COLUMNS, PLAN_FIRST_ROW, PLAN_HEADER_ROW, PLAN_ROWS, PLAN_SHEET,
};
use crate::load::workbook::{
    CODE_ROW, COVER_SHEET, FIRST_DATA_ROW, HEADER_ROW, LISTS_SHEET, RETURN_SHEET, SERVICE_COLUMNS,
    YEAR_ROW, data_rows, header,
};
use crate::model::Return;
use crate::register::Register;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatBorder, Formula, Workbook, XlsxError,
};

/// Writes the return workbook; `filled` pre-fills it from a return (used to
/// turn a CSV return into a workbook, and by the round-trip tests).
pub fn workbook(
    year: i32,
    bands: &[Band],
    register: &Register,
    filled: Option<&Return>,
    due: Option<crate::config::Date>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation date (1 January of the year): the same inputs give the
    // same bytes.
    let created = ExcelDateTime::from_ymd(year.clamp(1900, 9999) as u16, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("SC-WRES data return {year}"))
            .set_creation_datetime(&created),
    );
    let title = Format::new().set_bold().set_font_size(16);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin);
    let input = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFF7E6))
        .set_border(FormatBorder::Thin);

    // Cover: instructions and definitions.
    let cover = wb.add_worksheet().set_name(COVER_SHEET)?;
    cover.set_column_width(0, 28)?;
    cover.set_column_width(1, 90)?;
    cover.write_string_with_format(0, 0, format!("SC-WRES data return {year}"), &title)?;
    if let Some(due) = due {
        cover.write_string_with_format(1, 0, format!("Due by {}.", due.long()), &bold)?;
    }
    let steps = [
        "1. On the Return sheet, choose your council's code in cell B3 and check the year in B4.",
        "2. Fill in whole numbers of staff for each service you run: adults in columns C to E, children in F to H.",
        "3. Write 0 where there were none. Leave a row's cells empty only if the council does not have that figure at all: empty means 'not provided', which is not 0, and a row with some cells filled and others empty is an error.",
        "4. Leave the children's columns entirely empty if the return covers adults' services only (and the reverse).",
        "5. Upload the return to the SC-WRES collection service: it checks the return at once and lists every problem with its cell.",
        "6. Write your action plan on the Action plan sheet, one action per row (or send it as a YAML file).",
    ];
    for (i, s) in steps.iter().enumerate() {
        cover.write_string_with_format(2 + i as u32, 0, *s, &Format::new())?;
    }
    let mut r = 9;
    cover.write_string_with_format(r, 0, "Measure", &head)?;
    cover.write_string_with_format(r, 1, "What to count", &head)?;
    for m in Measure::ALL {
        r += 1;
        cover.write_string(r, 0, m.id())?;
        let mut what = m.description().to_string();
        if let Some(p) = m.contained_in() {
            what.push_str(&format!(
                " (part of {})",
                if p == Measure::Headcount {
                    "headcount"
                } else {
                    p.id()
                }
            ));
        }
        cover.write_string_with_format(r, 1, what, &wrap)?;
    }
    r += 2;
    cover.write_string_with_format(r, 0, "Indicator", &head)?;
    cover.write_string_with_format(r, 1, "Computed as", &head)?;
    for ind in &INDICATORS {
        r += 1;
        cover.write_string(r, 0, format!("{}: {}", ind.id, ind.short))?;
        let pop = if ind.population == Measure::Headcount {
            "headcount (all pay bands)"
        } else {
            ind.population.id()
        };
        cover.write_string_with_format(
            r,
            1,
            format!("{} per {pop}: {}", ind.events.id(), ind.title),
            &wrap,
        )?;
    }
    r += 2;
    cover.write_string_with_format(r, 0, "Pay band", &head)?;
    for b in bands {
        r += 1;
        cover.write_string(r, 0, &b.id)?;
        cover.write_string(r, 1, &b.label)?;
    }

    // Lists: the council codes for the drop-down, with names.
    let lists = wb.add_worksheet().set_name(LISTS_SHEET)?;
    lists.write_string_with_format(0, 0, "code", &bold)?;
    lists.write_string_with_format(0, 1, "council", &bold)?;
    let n = register.len() as u32;
    for (i, a) in register.iter().enumerate() {
        lists.write_string(1 + i as u32, 0, &a.code)?;
        lists.write_string(1 + i as u32, 1, &a.name)?;
    }
    lists.set_hidden(true);

    // Return: the input sheet.
    let ws = wb.add_worksheet().set_name(RETURN_SHEET)?;
    ws.set_active(true);
    ws.set_column_width(0, 26)?;
    ws.set_column_width(1, 14)?;
    for c in 2..8 {
        ws.set_column_width(c, 13)?;
    }
    ws.set_column_width(8, 70)?;
    ws.write_string_with_format(0, 0, format!("SC-WRES data return {year}"), &title)?;
    ws.write_string_with_format(CODE_ROW, 0, "Council GSS code", &bold)?;
    ws.write_string_with_format(YEAR_ROW, 0, "Collection year", &bold)?;
    let code = filled.map(|f| f.authority_code.as_str()).unwrap_or("");
    ws.write_string_with_format(CODE_ROW, 1, code, &input)?;
    ws.write_number_with_format(YEAR_ROW, 1, year, &input)?;
    ws.write_formula(
        CODE_ROW,
        2,
        Formula::new(format!(
            "=IFERROR(VLOOKUP(B{},{LISTS_SHEET}!$A$2:$B${},2,FALSE),\"\")",
            CODE_ROW + 1,
            n + 1
        )),
    )?;
    let codes = DataValidation::new()
        .allow_list_formula(Formula::new(format!("={LISTS_SHEET}!$A$2:$A${}", n + 1)))
        .set_error_title("Council code")?
        .set_error_message("Choose your council's GSS code from the list.")?;
    ws.add_data_validation(CODE_ROW, 1, CODE_ROW, 1, &codes)?;
    let years = DataValidation::new().allow_whole_number(DataValidationRule::Between(2000, 2100));
    ws.add_data_validation(YEAR_ROW, 1, YEAR_ROW, 1, &years)?;

    for (c, h) in header().iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, h, &head)?;
    }
    let rows = data_rows(bands);
    for (i, (m, band)) in rows.iter().enumerate() {
        let r = FIRST_DATA_ROW + i as u32;
        ws.write_string(r, 0, m.id())?;
        ws.write_string(r, 1, band)?;
        ws.write_string_with_format(r, 8, m.description(), &wrap)?;
        for (service, first) in SERVICE_COLUMNS {
            let counts = filled.and_then(|f| f.services.get(&service)).map(|sr| {
                if *m == Measure::Headcount {
                    sr.band(band)
                } else {
                    sr.get(*m)
                }
            });
            for g in 0..3u16 {
                let value = counts
                    .flatten()
                    .map(|t| [t.white, t.minoritised, t.unknown][g as usize]);
                match value {
                    Some(v) => ws.write_number_with_format(r, first + g, v as f64, &input)?,
                    None => ws.write_blank(r, first + g, &input)?,
                };
            }
        }
    }
    let last = FIRST_DATA_ROW + rows.len() as u32 - 1;
    let counts = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_style(DataValidationErrorStyle::Stop)
        .set_error_title("Whole number")?
        .set_error_message("Type a whole number of staff, 0 or more. Leave the cell empty if the figure is not known.")?;
    ws.add_data_validation(FIRST_DATA_ROW, 2, last, 7, &counts)?;
    ws.set_freeze_panes(FIRST_DATA_ROW, 2)?;
    ws.protect();

    // Action plan: the council's actions, read as the YAML plan is.
    let ap = wb.add_worksheet().set_name(PLAN_SHEET)?;
    for (c, w) in [60, 11, 28, 16, 14, 50].into_iter().enumerate() {
        ap.set_column_width(c as u16, w)?;
    }
    ap.write_string_with_format(0, 0, format!("SC-WRES action plan {year}"), &title)?;
    ap.write_string(
        1,
        0,
        "One action per row. Every column is needed. Owners are roles, not people's names, in a plan you will publish.",
    )?;
    ap.write_string_with_format(CODE_ROW, 0, "Council GSS code", &bold)?;
    ap.write_string_with_format(YEAR_ROW, 0, "Collection year", &bold)?;
    ap.write_string_with_format(CODE_ROW, 1, code, &input)?;
    ap.write_number_with_format(YEAR_ROW, 1, year, &input)?;
    ap.write_string(
        CODE_ROW,
        2,
        "as on the Return sheet; left empty, the Return sheet's is used",
    )?;
    for (c, (h, _)) in PLAN_COLUMNS.iter().enumerate() {
        ap.write_string_with_format(PLAN_HEADER_ROW, c as u16, *h, &head)?;
    }
    let last = PLAN_FIRST_ROW + PLAN_ROWS - 1;
    for r in PLAN_FIRST_ROW..=last {
        for c in 0..PLAN_COLUMNS.len() as u16 {
            ap.write_blank(r, c, &input.clone().set_text_wrap())?;
        }
    }
    let ids: Vec<String> = INDICATORS
        .iter()
        .map(|i| i.id.as_str().to_string())
        .collect();
    let indicators = DataValidation::new()
        .allow_list_strings(&ids)?
        .set_error_title("Indicator")?
        .set_error_message("Choose the SC-WRES indicator the action addresses.")?;
    ap.add_data_validation(PLAN_FIRST_ROW, 1, last, 1, &indicators)?;
    let statuses = DataValidation::new()
        .allow_list_strings(&crate::load::actions::STATUSES)?
        .set_error_title("Status")?
        .set_error_message("Choose not started, in progress or done.")?;
    ap.add_data_validation(PLAN_FIRST_ROW, 4, last, 4, &statuses)?;
    ap.set_freeze_panes(PLAN_FIRST_ROW, 0)?;
    wb.save_to_buffer()
}
