//! The one definition of the SC-WRES indicators and the measures of a return.
//!
//! Code, templates (through the serialised [`Indicator`]), docs and tests all
//! read this table; nothing else lists indicators or measures.

use serde::Serialize;
use std::fmt;

/// A measure a council reports, per service and ethnicity group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Headcount,
    Shortlisted,
    Appointed,
    Disciplinary,
    RegulatedProfessionals,
    FitnessToPractise,
    Cpd,
    Leavers,
    SeniorManagers,
    SurveyRespondents,
    HarassmentPublic,
    HarassmentColleagues,
    HarassmentManagers,
}

impl Measure {
    pub const ALL: [Measure; 13] = [
        Measure::Headcount,
        Measure::Shortlisted,
        Measure::Appointed,
        Measure::Disciplinary,
        Measure::RegulatedProfessionals,
        Measure::FitnessToPractise,
        Measure::Cpd,
        Measure::Leavers,
        Measure::SeniorManagers,
        Measure::SurveyRespondents,
        Measure::HarassmentPublic,
        Measure::HarassmentColleagues,
        Measure::HarassmentManagers,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Measure::Headcount => "headcount",
            Measure::Shortlisted => "shortlisted",
            Measure::Appointed => "appointed",
            Measure::Disciplinary => "disciplinary",
            Measure::RegulatedProfessionals => "regulated_professionals",
            Measure::FitnessToPractise => "fitness_to_practise",
            Measure::Cpd => "cpd",
            Measure::Leavers => "leavers",
            Measure::SeniorManagers => "senior_managers",
            Measure::SurveyRespondents => "survey_respondents",
            Measure::HarassmentPublic => "harassment_public",
            Measure::HarassmentColleagues => "harassment_colleagues",
            Measure::HarassmentManagers => "harassment_managers",
        }
    }

    pub fn from_id(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.id() == s)
    }

    /// What the measure counts, in words a council analyst uses.
    /// A population measure in a word or two, for a table header ("events /
    /// applicants"): so that no header says "staff" where the population is
    /// applicants, regulated professionals or survey respondents.
    pub fn short(self) -> &'static str {
        match self {
            Measure::Shortlisted => "applicants",
            Measure::RegulatedProfessionals => "regulated professionals",
            Measure::SurveyRespondents => "respondents",
            _ => "staff",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Measure::Headcount => "staff in post",
            Measure::Shortlisted => "applicants shortlisted in the last 12 months",
            Measure::Appointed => "shortlisted applicants appointed",
            Measure::Disciplinary => "staff entering the formal disciplinary process",
            Measure::RegulatedProfessionals => "staff who are regulated professionals",
            Measure::FitnessToPractise => {
                "regulated professionals entering fitness-to-practise processes"
            }
            Measure::Cpd => "staff accessing funded non-mandatory CPD",
            Measure::Leavers => "staff who left the organisation",
            Measure::SeniorManagers => "staff in senior manager roles",
            Measure::SurveyRespondents => "staff who answered the staff survey",
            Measure::HarassmentPublic => {
                "respondents reporting harassment, bullying or abuse from people who use services, relatives or the public"
            }
            Measure::HarassmentColleagues => {
                "respondents reporting harassment, bullying or abuse from colleagues"
            }
            Measure::HarassmentManagers => {
                "respondents reporting harassment, bullying or abuse from managers"
            }
        }
    }

    /// The measure this one is a subset of, per group (the containment rules
    /// of the return, docs/specification.md). `Headcount` here means the sum of the bands.
    pub fn contained_in(self) -> Option<Measure> {
        match self {
            Measure::Appointed => Some(Measure::Shortlisted),
            Measure::Disciplinary
            | Measure::Cpd
            | Measure::SeniorManagers
            | Measure::RegulatedProfessionals => Some(Measure::Headcount),
            Measure::FitnessToPractise => Some(Measure::RegulatedProfessionals),
            Measure::HarassmentPublic
            | Measure::HarassmentColleagues
            | Measure::HarassmentManagers => Some(Measure::SurveyRespondents),
            _ => None,
        }
    }

    /// Measures that may exceed headcount, which deserves a warning only.
    pub fn warn_above_headcount(self) -> bool {
        matches!(self, Measure::Leavers | Measure::SurveyRespondents)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    Descriptive,
    HigherIsBetter,
    HigherIsWorse,
}

/// An indicator's id: `1`, `2`, ..., `7a`, `7b`, `8`, `9`. Ordered as the
/// indicators are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum IndicatorId {
    #[serde(rename = "1")]
    I1,
    #[serde(rename = "2")]
    I2,
    #[serde(rename = "3")]
    I3,
    #[serde(rename = "4")]
    I4,
    #[serde(rename = "5")]
    I5,
    #[serde(rename = "6")]
    I6,
    #[serde(rename = "7a")]
    I7a,
    #[serde(rename = "7b")]
    I7b,
    #[serde(rename = "8")]
    I8,
    #[serde(rename = "9")]
    I9,
}

impl IndicatorId {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorId::I1 => "1",
            IndicatorId::I2 => "2",
            IndicatorId::I3 => "3",
            IndicatorId::I4 => "4",
            IndicatorId::I5 => "5",
            IndicatorId::I6 => "6",
            IndicatorId::I7a => "7a",
            IndicatorId::I7b => "7b",
            IndicatorId::I8 => "8",
            IndicatorId::I9 => "9",
        }
    }

    /// The id as written in returns, plans and published files.
    pub fn parse(s: &str) -> Option<IndicatorId> {
        INDICATORS.iter().map(|i| i.id).find(|id| id.as_str() == s)
    }

    /// The indicator's definition.
    pub fn def(self) -> &'static Indicator {
        INDICATORS
            .iter()
            .find(|i| i.id == self)
            .expect("every id has a definition")
    }
}

impl fmt::Display for IndicatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One SC-WRES indicator: events per population, per ethnicity group.
#[derive(Debug, Serialize)]
pub struct Indicator {
    pub id: IndicatorId,
    /// Full title, as in the national report.
    pub title: &'static str,
    /// A short label for charts and tables.
    pub short: &'static str,
    /// The event, as a verb phrase completing "Minoritised staff were ... as
    /// likely as white staff to ...".
    pub phrase: &'static str,
    pub events: Measure,
    /// The population; `Headcount` is the sum of all pay bands.
    pub population: Measure,
    pub polarity: Polarity,
    /// Whether the figures come from a staff survey.
    pub survey: bool,
    /// One figure per pay band (the events are the band's headcount).
    pub per_band: bool,
    /// Reported with the minoritised share of the events.
    pub has_share: bool,
}

impl Indicator {
    pub fn assessed(&self) -> bool {
        self.polarity != Polarity::Descriptive
    }
}

pub static INDICATORS: [Indicator; 10] = [
    Indicator {
        id: IndicatorId::I1,
        title: "Representation in each pay band",
        short: "Pay bands",
        phrase: "be in the pay band",
        events: Measure::Headcount,
        population: Measure::Headcount,
        polarity: Polarity::Descriptive,
        survey: false,
        per_band: true,
        has_share: true,
    },
    Indicator {
        id: IndicatorId::I2,
        title: "Appointed from shortlisting (last 12 months)",
        short: "Appointment",
        phrase: "be appointed from shortlisting",
        events: Measure::Appointed,
        population: Measure::Shortlisted,
        polarity: Polarity::HigherIsBetter,
        survey: false,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I3,
        title: "Entering the formal disciplinary process",
        short: "Disciplinary",
        phrase: "enter the formal disciplinary process",
        events: Measure::Disciplinary,
        population: Measure::Headcount,
        polarity: Polarity::HigherIsWorse,
        survey: false,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I4,
        title: "Regulated professionals entering fitness-to-practise processes",
        short: "Fitness to practise",
        phrase: "enter fitness-to-practise processes (regulated professionals)",
        events: Measure::FitnessToPractise,
        population: Measure::RegulatedProfessionals,
        polarity: Polarity::HigherIsWorse,
        survey: false,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I5,
        title: "Accessing funded non-mandatory CPD",
        short: "CPD",
        phrase: "access funded non-mandatory CPD",
        events: Measure::Cpd,
        population: Measure::Headcount,
        polarity: Polarity::HigherIsBetter,
        survey: false,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I6,
        title: "Harassment, bullying or abuse from people who use services, relatives or the public (staff survey)",
        short: "Harassment: public",
        phrase: "report harassment, bullying or abuse from people who use services, relatives or the public",
        events: Measure::HarassmentPublic,
        population: Measure::SurveyRespondents,
        polarity: Polarity::HigherIsWorse,
        survey: true,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I7a,
        title: "Harassment, bullying or abuse from colleagues (staff survey)",
        short: "Harassment: colleagues",
        phrase: "report harassment, bullying or abuse from colleagues",
        events: Measure::HarassmentColleagues,
        population: Measure::SurveyRespondents,
        polarity: Polarity::HigherIsWorse,
        survey: true,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I7b,
        title: "Harassment, bullying or abuse from managers (staff survey)",
        short: "Harassment: managers",
        phrase: "report harassment, bullying or abuse from managers",
        events: Measure::HarassmentManagers,
        population: Measure::SurveyRespondents,
        polarity: Polarity::HigherIsWorse,
        survey: true,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I8,
        title: "Leaving the organisation",
        short: "Leaving",
        phrase: "leave the organisation",
        events: Measure::Leavers,
        population: Measure::Headcount,
        polarity: Polarity::HigherIsWorse,
        survey: false,
        per_band: false,
        has_share: false,
    },
    Indicator {
        id: IndicatorId::I9,
        title: "Senior manager roles",
        short: "Senior managers",
        phrase: "be in a senior manager role",
        events: Measure::SeniorManagers,
        population: Measure::Headcount,
        polarity: Polarity::HigherIsBetter,
        survey: false,
        per_band: false,
        has_share: true,
    },
];

pub fn by_id(id: &str) -> Option<&'static Indicator> {
    IndicatorId::parse(id).map(IndicatorId::def)
}

/// A pay band: id used in returns, its label, and (for `scwres extract`)
/// the lowest annual salary in it, in pounds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_salary: Option<u64>,
}

/// The default pay bands (docs/specification.md).
pub fn default_bands() -> Vec<Band> {
    [
        ("under_30k", "Less than £30,000", 0),
        ("30k_to_69k", "£30,000 to £69,999", 30_000),
        ("70k_plus", "£70,000 and over", 70_000),
    ]
    .into_iter()
    .map(|(id, label, min)| Band {
        id: id.into(),
        label: label.into(),
        min_salary: Some(min),
    })
    .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Adults,
    Children,
    All,
}

impl Service {
    /// The services a return reports (not `All`, which is derived).
    pub const REPORTED: [Service; 2] = [Service::Adults, Service::Children];
    pub const ALL3: [Service; 3] = [Service::Adults, Service::Children, Service::All];

    pub fn id(self) -> &'static str {
        match self {
            Service::Adults => "adults",
            Service::Children => "children",
            Service::All => "all",
        }
    }

    /// A reported service (not `all`) from its id in a return.
    pub fn from_id(s: &str) -> Option<Service> {
        match s {
            "adults" => Some(Service::Adults),
            "children" => Some(Service::Children),
            _ => None,
        }
    }

    /// Any service, `all` included, from its id in a published file.
    pub fn parse(s: &str) -> Option<Service> {
        Service::ALL3.into_iter().find(|x| x.id() == s)
    }

    /// The label of tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            Service::Adults => "Adults",
            Service::Children => "Children",
            Service::All => "All services",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_round_trip_and_are_unique() {
        for m in Measure::ALL {
            assert_eq!(Measure::from_id(m.id()), Some(m));
        }
        assert_eq!(Measure::from_id("Headcount"), None);
    }

    #[test]
    fn indicator_ids_are_unique_and_match_spec() {
        let ids: Vec<_> = INDICATORS.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7a", "7b", "8", "9"]);
        assert!(by_id("7a").unwrap().survey);
        assert!(!by_id("1").unwrap().assessed());
        for i in &INDICATORS {
            assert_eq!(IndicatorId::parse(i.id.as_str()), Some(i.id));
            assert_eq!(i.id.def().id, i.id);
        }
        let mut sorted = INDICATORS.iter().map(|i| i.id).collect::<Vec<_>>();
        sorted.sort();
        assert_eq!(sorted, INDICATORS.iter().map(|i| i.id).collect::<Vec<_>>());
        assert_eq!(serde_json::to_string(&IndicatorId::I7a).unwrap(), "\"7a\"");
    }
}
