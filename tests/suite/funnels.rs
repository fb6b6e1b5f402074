//! funnels.csv against an independent computation from results.csv: the
//! points, target, overdispersion (Spiegelhalter's additive random effects
//! on ln RL, z-scores winsorised at the 10th and 90th percentiles) and the
//! councils outside the adjusted limits, written here from the formulas of
//! the methods chapter without the program's code. The target is England's
//! figure from its published (rounded) counts; the points are the councils'
//! published figures (docs/disclosure.md): counts rounded to 5, the relative
//! likelihood of the rounded counts to 2 decimal places; the overdispersion
//! and the counts outside the limits are of every council with a figure,
//! exact (an RL of 0 with 0.5 added to each count).

use crate::common::*;
use std::collections::HashMap;

fn num(r: &HashMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap()
}

/// Type 7 quantile of sorted data.
fn q7(x: &[f64], p: f64) -> f64 {
    let h = (x.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    x[lo] + (h - lo as f64) * (x[hi] - x[lo])
}

fn check(data: &std::path::Path, adjust: bool) {
    let (out, o) = read_report(data);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = out.path().join("2024");
    let results = read_csv(&dir.join("internal/results.csv"));
    let funnels = read_csv(&dir.join("public/funnels.csv"));
    assert!(!funnels.is_empty());
    let min_count = 8.0;
    for f in &funnels {
        let ind = &f["indicator"];
        let all = |r: &&HashMap<String, String>| {
            r["year"] == "2024"
                && r["service"] == "all"
                && &r["indicator"] == ind
                && r["band"].is_empty()
        };
        let nat = results
            .iter()
            .filter(all)
            .find(|r| r["scope"] == "national")
            .unwrap();
        let r5 = |x: f64| (x / 5.0 + 0.5).floor() * 5.0;
        let (wp, mp) = (
            r5(num(nat, "white_population")),
            r5(num(nat, "minoritised_population")),
        );
        let (share, pm, pw) = (
            mp / (wp + mp),
            r5(num(nat, "minoritised_events")) / mp,
            r5(num(nat, "white_events")) / wp,
        );
        let theta = pm / pw;
        let se =
            |n: f64| ((1.0 - pm) / (n * share * pm) + (1.0 - pw) / (n * (1.0 - share) * pw)).sqrt();
        // A council's own standard error under the null (its own group
        // sizes at the national rates), and its effective size: where the
        // national mix's standard error equals it.
        let own_se = |w: f64, m: f64| ((1.0 - pm) / (m * pm) + (1.0 - pw) / (w * pw)).sqrt();
        let size = |w: f64, m: f64| se(1.0).powi(2) / own_se(w, m).powi(2);
        let ok = |e: f64| e == 0.0 || e >= min_count;
        let rounded = |x: f64| (x / 5.0 + 0.5).floor() * 5.0;
        let points: Vec<(f64, f64)> = results
            .iter()
            .filter(all)
            .filter(|r| r["scope"] == "authority" && !r["relative_likelihood"].is_empty())
            .filter(|r| ok(num(r, "white_events")) && ok(num(r, "minoritised_events")))
            // A relative likelihood of 0 is not drawn on the log scale.
            .filter(|r| num(r, "minoritised_events") > 0.0)
            .filter(|r| {
                num(r, "white_population") >= min_count
                    && num(r, "minoritised_population") >= min_count
            })
            .map(|r| {
                let [we, wp, me, mp] = [
                    "white_events",
                    "white_population",
                    "minoritised_events",
                    "minoritised_population",
                ]
                .map(|c| rounded(num(r, c)));
                (
                    size(wp, mp).round(),
                    ((me / mp) / (we / wp) * 100.0).round() / 100.0,
                )
            })
            .collect();
        // The overdispersion from every council with a figure, exact: its
        // own standard error and exact RL.
        let every: Vec<(f64, f64)> = results
            .iter()
            .filter(all)
            .filter(|r| r["scope"] == "authority" && !r["relative_likelihood"].is_empty())
            .map(|r| {
                let (w, m) = (num(r, "white_population"), num(r, "minoritised_population"));
                let rl = num(r, "relative_likelihood");
                // ln 0 is not a number: an RL of 0 enters with 0.5 added
                // to each count.
                let rl = if rl > 0.0 {
                    rl
                } else {
                    (0.5 / (m + 0.5)) / ((num(r, "white_events") + 0.5) / (w + 0.5))
                };
                (own_se(w, m), rl)
            })
            .collect();
        let k = every.len() as f64;
        let z: Vec<f64> = every
            .iter()
            .map(|(s, rl)| (rl.ln() - theta.ln()) / s)
            .collect();
        let mut sorted = z.clone();
        sorted.sort_by(f64::total_cmp);
        let (lo, hi) = (q7(&sorted, 0.1), q7(&sorted, 0.9));
        let phi = z.iter().map(|v| v.clamp(lo, hi).powi(2)).sum::<f64>() / k;
        let w: Vec<f64> = every.iter().map(|(s, _)| s.powi(-2)).collect();
        let (sw, sw2): (f64, f64) = (w.iter().sum(), w.iter().map(|x| x * x).sum());
        let tau2 = if adjust && phi > 1.0 && k * phi > k - 1.0 {
            (k * phi - (k - 1.0)) / (sw - sw2 / sw)
        } else {
            0.0
        };
        // The limits are drawn with the overdispersion as published (4
        // significant digits), checked against this computation below.
        let published_tau2 = num(f, "tau2");
        let mut outside = [0; 4];
        for (own, rl) in &every {
            let s = (own.powi(2) + published_tau2).sqrt();
            for (i, (z, above)) in [
                (1.959964, true),
                (1.959964, false),
                (3.090232, true),
                (3.090232, false),
            ]
            .iter()
            .enumerate()
            {
                let limit = (theta.ln() + if *above { z * s } else { -z * s }).exp();
                outside[i] += usize::from(if *above { *rl > limit } else { *rl < limit });
            }
        }
        // 4 significant digits.
        let rel = |a: f64, b: f64| (a - b).abs() <= 5e-4 * b.abs().max(1e-12);
        assert_eq!(num(f, "councils") as usize, every.len(), "indicator {ind}");
        assert_eq!(num(f, "drawn") as usize, points.len(), "indicator {ind}");
        assert_eq!(
            f["target"],
            format!("{theta:.2}"),
            "indicator {ind} target, to 2 decimal places"
        );
        if adjust {
            assert!(
                rel(num(f, "phi"), phi),
                "indicator {ind}: phi {} vs {phi}",
                f["phi"]
            );
        }
        assert!(
            rel(num(f, "tau2"), tau2) || tau2 == 0.0 && num(f, "tau2") == 0.0,
            "indicator {ind}: tau2 {} vs {tau2}",
            f["tau2"]
        );
        assert_eq!(f["adjusted"], (tau2 > 0.0).to_string(), "indicator {ind}");
        let got = ["above95", "below95", "above998", "below998"].map(|c| num(f, c) as usize);
        assert_eq!(got, outside, "indicator {ind}");
    }
}

#[test]
fn funnels_match_an_independent_computation_on_the_demo() {
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    check(&demo, true);
}

/// The fixture has 4 councils and shows funnels from 3
/// (`min_spread_councils`); with the default of 10, none.
#[test]
fn funnels_match_an_independent_computation_on_the_fixture() {
    check(&fixture("basic"), true);
    let data = fixture_spread_from(10);
    let (out, _) = run_report(data.path());
    let funnels = read_csv(&out.path().join("2024/public/funnels.csv"));
    assert!(funnels.is_empty(), "no funnel of 4 councils");
}

/// The demo's funnels are overdispersed; with `overdispersion: none` the
/// limits are the plain ones.
#[test]
fn overdispersion_can_be_switched_off() {
    let data = tempfile::tempdir().unwrap();
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
        data.path(),
    );
    let config = data.path().join("report.yaml");
    let text = std::fs::read_to_string(&config).unwrap() + "funnel:\n  overdispersion: none\n";
    std::fs::write(config, text).unwrap();
    check(data.path(), false);
}
