//! Reader for a published `benchmarks.csv`: the national counts a council
//! needs to build its own local report without anyone else's data. Only the
//! counts are read; every figure is computed again from them by `compute`,
//! with the same code as the national run, so nothing can drift.

use crate::model::Triple;

/// The national counts of one (service, indicator, band).
#[derive(Clone, Debug, PartialEq)]
pub struct NationalCounts {
    pub service: crate::indicators::Service,
    pub indicator: &'static str,
    pub band: Option<String>,
    /// `None` when the indicator was not provided by any council.
    pub counts: Option<(Triple, Triple)>,
    pub units_left_out: u32,
}

/// The year and national rows of a benchmarks file.
pub fn read(file: &str, bytes: &[u8]) -> Result<(i32, Vec<NationalCounts>), String> {
    let mut rdr = csv::Reader::from_reader(bytes);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{file}: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or(format!(
            "{file}: no column `{name}`; is this a benchmarks.csv from scwres?"
        ))
    };
    let [
        year,
        scope,
        service,
        ind,
        band,
        we,
        wp,
        me,
        mp,
        ue,
        up,
        left,
    ] = [
        "year",
        "scope",
        "service",
        "indicator",
        "band",
        "white_events",
        "white_population",
        "minoritised_events",
        "minoritised_population",
        "unknown_events",
        "unknown_population",
        "units_left_out",
    ]
    .map(col);
    let (year, scope, service, ind, band) = (year?, scope?, service?, ind?, band?);
    let counts = [we?, wp?, me?, mp?, ue?, up?];
    let left = left?;
    let mut the_year = None;
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("{file}, line {line}: {e}"))?;
        if &rec[scope] != "national" {
            continue;
        }
        let y: i32 = rec[year]
            .parse()
            .map_err(|_| format!("{file}, line {line}: year `{}`", &rec[year]))?;
        if *the_year.get_or_insert(y) != y {
            return Err(format!(
                "{file}, line {line}: national rows for more than one year"
            ));
        }
        let svc = match &rec[service] {
            "all" => crate::indicators::Service::All,
            s => crate::indicators::Service::from_id(s)
                .ok_or(format!("{file}, line {line}: service `{s}`"))?,
        };
        let indicator = crate::indicators::by_id(&rec[ind])
            .ok_or(format!("{file}, line {line}: indicator `{}`", &rec[ind]))?
            .id;
        let n: Vec<Option<u64>> = counts.iter().map(|c| rec[*c].parse().ok()).collect();
        let counts = match n.as_slice() {
            [Some(we), Some(wp), Some(me), Some(mp), Some(ue), Some(up)] => Some((
                Triple {
                    white: *we,
                    minoritised: *me,
                    unknown: *ue,
                },
                Triple {
                    white: *wp,
                    minoritised: *mp,
                    unknown: *up,
                },
            )),
            _ if counts.iter().all(|c| rec[*c].is_empty()) => None,
            _ => {
                return Err(format!(
                    "{file}, line {line}: national counts must be whole numbers"
                ));
            }
        };
        out.push(NationalCounts {
            service: svc,
            indicator,
            band: Some(rec[band].to_string()).filter(|b| !b.is_empty()),
            counts,
            units_left_out: rec[left].parse().unwrap_or(0),
        });
    }
    let year = the_year.ok_or(format!("{file}: no national rows"))?;
    Ok((year, out))
}
