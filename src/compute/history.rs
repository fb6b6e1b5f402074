//! The back series: every earlier year's national figures, computed from
//! that year's accepted returns with the same code as the report year.

use super::{YearResults, compute_year};
use crate::config::Config;
use crate::model::Return;
use crate::register::Register;

/// Every figure of each year given (returns, year), in the order given:
/// national figures for the report's series, each council's own for its
/// local report's series.
pub fn history(
    years: &[(&[Return], i32)],
    register: &Register,
    config: &Config,
) -> anyhow::Result<Vec<YearResults>> {
    years
        .iter()
        .map(|(returns, year)| compute_year(returns, *year, register, config))
        .collect()
}
