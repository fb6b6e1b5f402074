//! The synthetic demo data: a deterministic, seeded generator of council
//! returns calibrated to the published national headlines. Nothing here is
//! real data; `data/report.yaml` marks it synthetic so every output says so.
//!
//! Pure: it returns file names and contents; the caller writes them.

use crate::indicators::{Band, Measure, Service, default_bands};
use crate::register::{Authority, Register};

/// A small, portable PRNG (SplitMix64): the same seed gives the same data on
/// every platform and every version of every crate.
#[derive(Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        // Box-Muller.
        let u1 = self.uniform().max(1e-300);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    /// A binomial draw that always consumes exactly two uniforms, so that a
    /// second pass with slightly different parameters stays on the same
    /// random stream. Exact (inverse CDF) below 60 trials, normal above.
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let p = p.clamp(0.0, 1.0);
        let (u1, u2) = (self.uniform(), self.uniform());
        if n >= 60 {
            let z = (-2.0 * u1.max(1e-300).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            return (mean + sd * z).round().clamp(0.0, n as f64) as u64;
        }
        if p >= 1.0 {
            return n;
        }
        let mut pmf = (1.0 - p).powi(n as i32);
        let mut cdf = pmf;
        let mut k = 0;
        while u1 > cdf && k < n {
            pmf *= (n - k) as f64 / (k + 1) as f64 * p / (1.0 - p);
            k += 1;
            cdf += pmf;
        }
        k
    }
    fn pick<T: Clone>(&mut self, items: &mut Vec<T>) -> T {
        let i = (self.next() % items.len() as u64) as usize;
        items.swap_remove(i)
    }
}

/// National targets for one collection year.
struct Targets {
    year: i32,
    adults_staff: f64,
    children_staff: f64,
    /// Minoritised share of known ethnicity, per default band.
    band_shares: [f64; 3],
    /// Share of staff in each band.
    band_mix: [f64; 3],
    /// (measure, white rate per population, relative likelihood)
    rates: Vec<(Measure, f64, f64)>,
}

fn targets(year: i32) -> Targets {
    // 2024: the published headlines (domain.md, SFC-2024NEWS); CPD and the
    // survey measures were not published, so plausible values are used.
    // 2023: the 2023 report's figures (SFC-FIND).
    let rl = |a24: f64, a23: f64| if year >= 2024 { a24 } else { a23 };
    Targets {
        year,
        adults_staff: if year >= 2024 { 58_600.0 } else { 17_900.0 },
        children_staff: if year >= 2024 { 39_300.0 } else { 12_400.0 },
        band_shares: [0.18, 0.22, 0.14],
        band_mix: [0.44, 0.53, 0.03],
        rates: vec![
            (Measure::Appointed, 0.30, rl(0.52, 0.50)),
            (Measure::Disciplinary, 0.015, rl(1.37, 1.40)),
            (Measure::FitnessToPractise, 0.012, rl(1.08, 2.10)),
            (Measure::Cpd, 0.25, rl(0.97, 1.00)),
            (Measure::Leavers, 0.13, rl(1.21, 1.10)),
            (Measure::SeniorManagers, 0.045, rl(0.55, 0.60)),
            (Measure::HarassmentPublic, 0.25, rl(0.90, 1.20)),
            (Measure::HarassmentColleagues, 0.12, rl(0.85, 1.30)),
            (Measure::HarassmentManagers, 0.08, rl(0.95, 1.90)),
        ],
    }
}

/// What is unusual about one council's synthetic return.
#[derive(Clone, Copy, Default)]
struct Quirks {
    children: bool,
    survey_blank: bool,
    high_unknown: bool,
    /// A containment error that gets the return rejected.
    broken: bool,
}

struct Plan<'a> {
    authority: &'a Authority,
    quirks: Quirks,
    adults_weight: f64,
    children_weight: f64,
    /// Council-level minoritised propensity (London higher).
    diversity: f64,
    /// Per-measure council effect on the RL, lognormal.
    effects: Vec<f64>,
}

/// The number of 2024 return files of the shipped demo data (73 accepted and
/// one rejected, as in the 2024 round).
pub const DEMO_FILES_2024: usize = 74;

/// Generates the demo returns of 2023 and 2024: `(relative path, CSV text)`.
pub fn generate(register: &Register, seed: u64) -> Vec<(String, String)> {
    generate_sized(register, seed, DEMO_FILES_2024)
}

/// Like `generate`, with `files_2024` return files for 2024 (one of them
/// rejected), for scale benchmarks up to every council in the register. The
/// national staff targets scale with the number of accepted returns.
pub fn generate_sized(register: &Register, seed: u64, files_2024: usize) -> Vec<(String, String)> {
    generate_with(register, seed, files_2024, true)
}

/// As [`generate_sized`]; with `reject_one` false every 2024 return is
/// sound (for benchmarks: one local report per file).
pub fn generate_with(
    register: &Register,
    seed: u64,
    files_2024: usize,
    reject_one: bool,
) -> Vec<(String, String)> {
    let files_2024 = files_2024.clamp(2, register.len());
    let mut rng = Rng(seed);
    let mut pool: Vec<&Authority> = register.iter().collect();
    // 2024: accepted returns plus one that is rejected.
    let mut chosen24: Vec<&Authority> = (0..files_2024).map(|_| rng.pick(&mut pool)).collect();
    chosen24.sort_by(|a, b| a.code.cmp(&b.code));
    // 2023: 23 councils, 20 of them also in 2024.
    let mut from24: Vec<&Authority> = chosen24[..files_2024 - 1].to_vec();
    let mut chosen23: Vec<&Authority> = (0..20.min(from24.len()))
        .map(|_| rng.pick(&mut from24))
        .collect();
    chosen23.extend((0..3).filter_map(|_| (!pool.is_empty()).then(|| rng.pick(&mut pool))));
    chosen23.sort_by(|a, b| a.code.cmp(&b.code));

    let mut files = Vec::new();
    let scale = (files_2024 - 1) as f64 / (DEMO_FILES_2024 - 1) as f64;
    // 2022 comes last, from the random stream after 2024's, so that adding
    // it changed none of the 2023 and 2024 returns: 16 of the 2023 councils
    // and 2 others, for a back series of three years.
    for year in [2023, 2024, 2022] {
        let chosen = match year {
            2023 => chosen23.clone(),
            2024 => chosen24.clone(),
            _ => {
                let mut from23 = chosen23.clone();
                let mut c: Vec<&Authority> = (0..16.min(from23.len()))
                    .map(|_| rng.pick(&mut from23))
                    .collect();
                c.extend((0..2).filter_map(|_| (!pool.is_empty()).then(|| rng.pick(&mut pool))));
                c.sort_by(|a, b| a.code.cmp(&b.code));
                c
            }
        };
        let mut t = targets(year);
        if year >= 2024 {
            t.adults_staff *= scale;
            t.children_staff *= scale;
        }
        let n = chosen.len();
        let plans: Vec<Plan> = chosen
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let children_rate = if year >= 2024 { 43.0 / 73.0 } else { 0.7 };
                let quirks = Quirks {
                    children: rng.uniform() < children_rate,
                    survey_blank: rng.uniform() < 0.08,
                    high_unknown: i == 5,
                    broken: reject_one && year >= 2024 && i == n - 1,
                };
                let size = (0.9 * rng.normal()).exp();
                let london = a.region_code == "E12000007";
                let diversity = if london { 2.6 } else { 0.8 } * (0.5 * rng.normal()).exp();
                Plan {
                    authority: a,
                    quirks,
                    adults_weight: size,
                    children_weight: if quirks.children {
                        size * (0.3 * rng.normal()).exp()
                    } else {
                        0.0
                    },
                    diversity,
                    effects: t
                        .rates
                        .iter()
                        .map(|_| (0.25 * rng.normal()).exp())
                        .collect(),
                }
            })
            .collect();
        // Two passes over the same random stream: the first measures how far
        // sampling moved each pooled relative likelihood, the second scales
        // the minoritised rates by target / realised.
        let bands = default_bands();
        let replay = rng.clone();
        let none = Correction {
            rates: vec![1.0; t.rates.len()],
            staff: [1.0, 1.0],
        };
        let (_, realised) = year_returns(&t, &plans, &bands, &mut rng, &none);
        let rates: Vec<f64> = realised
            .rates
            .iter()
            .zip(&t.rates)
            .map(|(r, (_, _, target))| {
                let rl = (r[0] / r[1]) / (r[2] / r[3]);
                if rl.is_finite() && rl > 0.0 {
                    target / rl
                } else {
                    1.0
                }
            })
            .collect();
        let staff = [
            t.adults_staff / realised.staff[0],
            t.children_staff / realised.staff[1].max(1.0),
        ];
        rng = replay;
        let (texts, _) = year_returns(&t, &plans, &bands, &mut rng, &Correction { rates, staff });
        for (plan, text) in plans.iter().zip(texts) {
            let slug = crate::publish::slug(&plan.authority.name);
            files.push((
                format!("returns/{year}/{}-{slug}.csv", plan.authority.code),
                text,
            ));
        }
    }
    files
}

/// Factors from a first pass that bring the realised national figures onto
/// the targets.
struct Correction {
    rates: Vec<f64>,
    staff: [f64; 2],
}

/// What a pass realised over the returns that will be used: per rate the
/// pooled (minoritised events, population, white events, population), and
/// the staff of adults' and children's services.
struct Realised {
    rates: Vec<[f64; 4]>,
    staff: [f64; 2],
}

/// Expected counts first, calibrated so the national pooled figures hit the
/// targets, then binomial draws around them.
fn year_returns(
    t: &Targets,
    plans: &[Plan],
    bands: &[Band],
    rng: &mut Rng,
    correction: &Correction,
) -> (Vec<String>, Realised) {
    // The staff targets are met by the returns that will be used.
    let used = || plans.iter().filter(|p| !p.quirks.broken);
    let total_adults: f64 = used().map(|p| p.adults_weight).sum();
    let total_children: f64 = used().map(|p| p.children_weight).sum::<f64>().max(1e-9);
    // Band calibration: the national minoritised share per band hits the
    // target when each council's odds are scaled by one factor per band.
    let mut band_scale = [1.0f64; 3];
    for _ in 0..40 {
        for b in 0..3 {
            let (mut m, mut k) = (0.0, 0.0);
            for p in used() {
                let staff = p.adults_weight / total_adults * t.adults_staff
                    + p.children_weight / total_children * t.children_staff;
                m += staff * t.band_mix[b] * minoritised_share(p.diversity * band_scale[b]);
                k += staff * t.band_mix[b];
            }
            band_scale[b] *= (t.band_shares[b] / (m / k)).powf(0.8);
        }
    }
    // RL calibration: council effects normalised, weighted by expected
    // minoritised staff as pooling weights them.
    let rl_scale: Vec<f64> = (0..t.rates.len())
        .map(|k| {
            let (mut num, mut den) = (0.0, 0.0);
            for p in used() {
                let m = (p.adults_weight + p.children_weight)
                    * minoritised_share(p.diversity * band_scale[1]);
                num += m * p.effects[k];
                den += m;
            }
            den / num
        })
        .collect();

    let mut realised = Realised {
        rates: vec![[0.0f64; 4]; t.rates.len()],
        staff: [0.0; 2],
    };
    let mut out = Vec::new();
    for p in plans {
        let mut csv =
            String::from("authority_code,year,service,measure,band,white,minoritised,unknown\n");
        for (si, s, weight, total, target) in [
            (
                0,
                Service::Adults,
                p.adults_weight,
                total_adults,
                t.adults_staff * correction.staff[0],
            ),
            (
                1,
                Service::Children,
                p.children_weight,
                total_children,
                t.children_staff * correction.staff[1],
            ),
        ] {
            if weight == 0.0 {
                continue;
            }
            let staff = weight / total * target;
            let unknown_share = if p.quirks.high_unknown {
                0.14
            } else {
                0.015 + 0.04 * rng.uniform()
            };
            let mut row = |measure: Measure, band: &str, v: Option<[u64; 3]>| {
                let f = |i: usize| v.map(|v| v[i].to_string()).unwrap_or_default();
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    p.authority.code,
                    t.year,
                    s.id(),
                    measure.id(),
                    band,
                    f(0),
                    f(1),
                    f(2)
                ));
            };
            let mut hc = [0u64; 3];
            for (b, band) in bands.iter().enumerate() {
                let n = (staff * t.band_mix[b] * (0.15 * rng.normal()).exp())
                    .round()
                    .max(1.0) as u64;
                let unknown = rng.binomial(n, unknown_share);
                let m = rng.binomial(n - unknown, minoritised_share(p.diversity * band_scale[b]));
                let v = [n - unknown - m, m, unknown];
                row(Measure::Headcount, &band.id, Some(v));
                for g in 0..3 {
                    hc[g] += v[g];
                }
            }
            let counted = !p.quirks.broken;
            if counted {
                realised.staff[si] += hc.iter().sum::<u64>() as f64;
            }
            let blank = p.quirks.survey_blank;
            let mut draw = |rng: &mut Rng, k: usize, pop: [u64; 3]| -> [u64; 3] {
                let (measure, w, rl) = t.rates[k];
                let m = (w * rl * p.effects[k] * rl_scale[k] * correction.rates[k]).min(0.95);
                let v = [
                    rng.binomial(pop[0], w),
                    rng.binomial(pop[1], m),
                    rng.binomial(pop[2], w),
                ];
                let survey = measure.contained_in() == Some(Measure::SurveyRespondents);
                if counted && !(blank && survey) {
                    let r = &mut realised.rates[k];
                    r[0] += v[1] as f64;
                    r[1] += pop[1] as f64;
                    r[2] += v[0] as f64;
                    r[3] += pop[0] as f64;
                }
                v
            };
            // Recruitment: minoritised applicants are shortlisted in greater
            // numbers than their share of staff.
            let shortlisted = [
                rng.binomial(hc[0], 0.35),
                rng.binomial(hc[1] * 2, 0.35),
                rng.binomial(hc[2], 0.2),
            ];
            let mut appointed = draw(rng, 0, shortlisted);
            if p.quirks.broken && s == Service::Adults {
                appointed[1] = shortlisted[1] + 12; // more appointed than shortlisted
            }
            let regulated = [
                rng.binomial(hc[0], 0.35),
                rng.binomial(hc[1], 0.35),
                rng.binomial(hc[2], 0.35),
            ];
            let survey = [
                rng.binomial(hc[0], 0.4),
                rng.binomial(hc[1], 0.35),
                rng.binomial(hc[2], 0.25),
            ];
            let disciplinary = draw(rng, 1, hc);
            let ftp = draw(rng, 2, regulated);
            let cpd = draw(rng, 3, hc);
            let leavers = draw(rng, 4, hc);
            let senior = draw(rng, 5, hc);
            let h_public = draw(rng, 6, survey);
            let h_coll = draw(rng, 7, survey);
            let h_man = draw(rng, 8, survey);
            for (measure, v, is_survey) in [
                (Measure::Shortlisted, shortlisted, false),
                (Measure::Appointed, appointed, false),
                (Measure::Disciplinary, disciplinary, false),
                (Measure::RegulatedProfessionals, regulated, false),
                (Measure::FitnessToPractise, ftp, false),
                (Measure::Cpd, cpd, false),
                (Measure::Leavers, leavers, false),
                (Measure::SeniorManagers, senior, false),
                (Measure::SurveyRespondents, survey, true),
                (Measure::HarassmentPublic, h_public, true),
                (Measure::HarassmentColleagues, h_coll, true),
                (Measure::HarassmentManagers, h_man, true),
            ] {
                row(measure, "", if blank && is_survey { None } else { Some(v) });
            }
        }
        out.push(csv);
    }
    (out, realised)
}

/// Share minoritised for a council propensity (odds-style, stays in 0..1).
fn minoritised_share(propensity: f64) -> f64 {
    let odds = 0.25 * propensity;
    odds / (1.0 + odds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_deterministic() {
        let r = Register::built_in();
        let a = generate(&r, 7);
        let b = generate(&r, 7);
        assert_eq!(a, b);
        assert_eq!(
            a.iter()
                .filter(|(p, _)| p.starts_with("returns/2024/"))
                .count(),
            74
        );
        assert_eq!(
            a.iter()
                .filter(|(p, _)| p.starts_with("returns/2023/"))
                .count(),
            23
        );
        assert_ne!(a, generate(&r, 8));
    }

    #[test]
    fn every_council_for_a_scale_benchmark() {
        let files = generate_sized(&Register::built_in(), 2024, 153);
        assert_eq!(
            files
                .iter()
                .filter(|(p, _)| p.starts_with("returns/2024/"))
                .count(),
            153
        );
        assert_eq!(
            files
                .iter()
                .filter(|(p, _)| p.starts_with("returns/2023/"))
                .count(),
            20
        );
    }
}

/// A register of `n` synthetic organisations (`E10900001`, "Synthetic
/// organisation 1", ...: codes in a range no council uses) spread over the English regions, as CSV text: for
/// scale benchmarks beyond the 153 councils.
pub fn synthetic_register(n: usize) -> String {
    assert!(
        n < 100_000,
        "synthetic codes run from E10900001 to E10999999"
    );
    let regions = Register::built_in().regions();
    let mut s = String::from("code,name,region_code,region_name,type\n");
    for i in 1..=n {
        let (rc, rn) = &regions[i % regions.len()];
        s.push_str(&format!(
            "E10{:06},Synthetic organisation {i},{rc},{rn},SYN\n",
            900_000 + i
        ));
    }
    s
}
