//! Data quality of one council's return, from its own counts.

use crate::indicators::{Measure, Service};
use crate::model::Return;

/// What a local report says of the quality of the council's return.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quality {
    /// Staff of unknown ethnicity, and all staff, in services that gave
    /// their headcount.
    pub unknown: u64,
    pub headcount: u64,
    /// Survey respondents, and the staff of the services that gave both.
    pub respondents: u64,
    pub survey_staff: u64,
    pub survey_services: usize,
    /// (service, measure) left blank.
    pub not_provided: Vec<(Service, Measure)>,
}

impl Quality {
    pub fn of(r: &Return) -> Quality {
        let mut q = Quality::default();
        for (s, sr) in &r.services {
            let head = sr.headcount();
            if let Some(h) = head {
                q.unknown += h.unknown;
                q.headcount += h.total();
            }
            if let (Some(h), Some(resp)) = (head, sr.get(Measure::SurveyRespondents)) {
                q.respondents += resp.total();
                q.survey_staff += h.total();
                q.survey_services += 1;
            }
            for m in Measure::ALL {
                if sr.get(m).is_none() {
                    q.not_provided.push((*s, m));
                }
            }
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ServiceReturn, Triple};

    #[test]
    fn quality_of_a_return() {
        let t = |w, m, u| {
            Some(Triple {
                white: w,
                minoritised: m,
                unknown: u,
            })
        };
        let mut sr = ServiceReturn {
            bands: vec![("a".into(), t(60, 30, 10))],
            ..Default::default()
        };
        sr.measures.insert(Measure::SurveyRespondents, t(20, 10, 5));
        let r = Return {
            source: "x.csv".into(),
            authority_code: "E09000001".into(),
            year: 2024,
            services: [(Service::Adults, sr)].into_iter().collect(),
        };
        let q = Quality::of(&r);
        assert_eq!((q.unknown, q.headcount), (10, 100));
        assert_eq!(
            (q.respondents, q.survey_staff, q.survey_services),
            (35, 100, 1)
        );
        // Every measure but headcount and survey respondents is blank.
        assert_eq!(q.not_provided.len(), Measure::ALL.len() - 2);
    }
}
