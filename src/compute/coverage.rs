//! Who took part, and how many staff the figures cover. Pure.

use crate::indicators::{Measure, Service};
use crate::model::{Return, Triple};
use crate::register::Register;
use crate::stats;
use serde::Serialize;

/// Who took part, and how many staff the figures cover.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub councils: usize,
    pub register_size: usize,
    pub adults_returns: usize,
    pub children_returns: usize,
    /// Staff (all groups) in units that provided their headcount.
    pub staff_adults: u64,
    pub staff_children: u64,
    pub staff_all: u64,
    pub unknown_share: Option<f64>,
    /// Council services that provided staff-survey respondents and headcount.
    pub survey_services: usize,
    pub survey_respondents: u64,
    /// Respondents over the staff of those services.
    pub survey_response_rate: Option<f64>,
    /// Participation by region, in the register's order.
    pub regions: Vec<RegionCoverage>,
}

/// How many of a region's councils took part.
#[derive(Clone, Debug, Serialize)]
pub struct RegionCoverage {
    pub code: String,
    pub name: String,
    pub councils: usize,
    pub register: usize,
}

pub fn coverage(returns: &[Return], register: &Register) -> Coverage {
    let staff = |s: Service| -> u64 {
        returns
            .iter()
            .filter_map(|r| r.services.get(&s).and_then(|sr| sr.headcount()))
            .map(|t| t.total())
            .sum()
    };
    let all: Triple = returns
        .iter()
        .flat_map(|r| r.services.values().filter_map(|sr| sr.headcount()))
        .fold(Triple::default(), Triple::add);
    let (mut survey_services, mut respondents, mut survey_staff) = (0, 0, 0);
    for sr in returns.iter().flat_map(|r| r.services.values()) {
        if let (Some(s), Some(h)) = (sr.get(Measure::SurveyRespondents), sr.headcount()) {
            survey_services += 1;
            respondents += s.total();
            survey_staff += h.total();
        }
    }
    let regions = register
        .regions()
        .into_iter()
        .map(|(code, name)| {
            let of = |a: &crate::register::Authority| a.region_code == code;
            RegionCoverage {
                councils: returns
                    .iter()
                    .filter(|r| register.get(&r.authority_code).is_some_and(of))
                    .count(),
                register: register.iter().filter(|a| of(a)).count(),
                code,
                name,
            }
        })
        .collect();
    Coverage {
        regions,
        survey_services,
        survey_respondents: respondents,
        survey_response_rate: stats::rate(respondents, survey_staff),
        councils: returns.len(),
        register_size: register.len(),
        adults_returns: returns
            .iter()
            .filter(|r| r.services.contains_key(&Service::Adults))
            .count(),
        children_returns: returns
            .iter()
            .filter(|r| r.services.contains_key(&Service::Children))
            .count(),
        staff_adults: staff(Service::Adults),
        staff_children: staff(Service::Children),
        staff_all: all.total(),
        unknown_share: stats::rate(all.unknown, all.total()),
    }
}
