//! Queries: plausibility checks on a return with no errors. A query is
//! not an error: the figure may be right, but it is unusual enough that
//! the council says why before its return is signed off (as DfE's COLLECT
//! raises queries). The thresholds are report.yaml's `queries:`.

use crate::config::QueryConfig;
use crate::indicators::{INDICATORS, Measure, Polarity, Service};
use crate::model::{Return, Triple};
use serde::{Deserialize, Serialize};

/// One query: a stable key (the same check on the same figure is the same
/// query in every version) and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub key: String,
    pub text: String,
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The queries of `ret`, a return without errors, against the council's
/// return of the year before (`last`), when there is one.
pub fn queries(ret: &Return, last: Option<&Return>, q: &QueryConfig) -> Vec<Query> {
    let mut out = Vec::new();
    let mut push = |key: String, text: String| out.push(Query { key, text });
    if let Some(last) = last
        && last.services == ret.services
    {
        push(
            "identical".into(),
            format!(
                "every figure is the same as your {} return: check that these are this year's figures",
                last.year
            ),
        );
    }
    for service in Service::REPORTED {
        let Some(now) = ret.services.get(&service) else {
            continue;
        };
        let name = service.label().to_lowercase();
        // A measure's total against last year's.
        if let Some(then) = last.and_then(|l| l.services.get(&service))
            && last.is_some_and(|l| l.services != ret.services)
        {
            for m in Measure::ALL {
                let (Some(a), Some(b)) = (then.get(m), now.get(m)) else {
                    continue;
                };
                let (a, b) = (a.total(), b.total());
                if a.max(b) < q.change_min {
                    continue;
                }
                let change = if a == 0 {
                    f64::INFINITY
                } else {
                    (b as f64 - a as f64) / a as f64
                };
                if change.abs() > q.change_share {
                    push(
                        format!("change:{}:{}", service.id(), m.id()),
                        format!(
                            "{name}: {} went from {a} last year to {b} ({}): more than {} either way",
                            m.description(),
                            if a == 0 {
                                "up from none".to_string()
                            } else {
                                format!("{}{}", if change > 0.0 { "+" } else { "" }, pct(change))
                            },
                            pct(q.change_share)
                        ),
                    );
                }
            }
        }
        // Adverse events against the staff they happen to.
        for ind in INDICATORS
            .iter()
            .filter(|i| i.polarity == Polarity::HigherIsWorse && !i.survey && !i.per_band)
        {
            let (Some(e), Some(p)) = (now.get(ind.events), now.get(ind.population)) else {
                continue;
            };
            let (e, p) = (e.total(), p.total());
            if p > 0 && e as f64 > q.events_share * p as f64 {
                push(
                    format!("events:{}:{}", service.id(), ind.events.id()),
                    format!(
                        "{name}: {e} {} of {p} {} is more than {}",
                        ind.events.description(),
                        ind.population.description(),
                        pct(q.events_share)
                    ),
                );
            }
        }
        let staff = now.get(Measure::Headcount);
        if let (Some(r), Some(h)) = (now.get(Measure::SurveyRespondents), staff)
            && r.total() > h.total()
        {
            push(
                format!("survey:{}", service.id()),
                format!(
                    "{name}: {} staff answered the staff survey, more than the {} staff in post",
                    r.total(),
                    h.total()
                ),
            );
        }
        if let Some(Triple {
            white,
            minoritised,
            unknown,
        }) = staff
        {
            let all = white + minoritised + unknown;
            if all > 0 && unknown as f64 > q.unknown_share * all as f64 {
                push(
                    format!("unknown:{}", service.id()),
                    format!(
                        "{name}: the ethnicity of {unknown} of {all} staff in post ({}) is not known, more than {}",
                        pct(unknown as f64 / all as f64),
                        pct(q.unknown_share)
                    ),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceReturn;

    fn t(white: u64, minoritised: u64, unknown: u64) -> Option<Triple> {
        Some(Triple {
            white,
            minoritised,
            unknown,
        })
    }

    fn ret(year: i32, headcount: Option<Triple>, disciplinary: Option<Triple>) -> Return {
        let mut s = ServiceReturn::default();
        s.bands.push(("all".into(), headcount));
        s.measures.insert(Measure::Disciplinary, disciplinary);
        s.measures.insert(Measure::SurveyRespondents, t(10, 5, 0));
        Return {
            source: String::new(),
            authority_code: "E06000001".into(),
            year,
            services: [(Service::Adults, s)].into_iter().collect(),
        }
    }

    #[test]
    fn each_check_fires_on_its_threshold_only() {
        let q = QueryConfig::default();
        let keys = |r: &Return, l: Option<&Return>| -> Vec<String> {
            queries(r, l, &q).into_iter().map(|q| q.key).collect()
        };
        let last = ret(2024, t(100, 40, 10), t(3, 2, 0));
        // Nothing unusual.
        assert!(keys(&ret(2025, t(110, 45, 10), t(4, 1, 0)), Some(&last)).is_empty());
        // The same figures as last year.
        assert_eq!(keys(&last.clone(), Some(&last)), ["identical"]);
        // Headcount 150 → 60: −60%, beyond 50%.
        assert_eq!(
            keys(&ret(2025, t(40, 15, 5), t(3, 2, 0)), Some(&last)),
            ["change:adults:headcount"]
        );
        // 75 → 112: +49%, within.
        assert!(keys(&ret(2025, t(75, 30, 7), t(3, 2, 0)), Some(&last)).is_empty());
        // Disciplinary 40 of 150: 27%, above 25% (and +700%).
        assert_eq!(
            keys(&ret(2025, t(100, 40, 10), t(30, 10, 0)), None),
            ["events:adults:disciplinary"]
        );
        // 37 of 150 is within.
        assert!(keys(&ret(2025, t(100, 40, 10), t(27, 10, 0)), None).is_empty());
        // Survey respondents (15) above headcount (12).
        assert_eq!(
            keys(&ret(2025, t(6, 4, 2), t(0, 0, 0)), None),
            ["survey:adults"]
        );
        // Unknown 31 of 150 (21%), above 20%.
        assert_eq!(
            keys(&ret(2025, t(90, 29, 31), t(3, 2, 0)), None),
            ["unknown:adults"]
        );
    }
}
