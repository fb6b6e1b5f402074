//! The within-council relative likelihood (methods chapter, "Within
//! councils"): the Mantel-Haenszel estimate of a common relative likelihood
//! over strata (council services), with the Greenland-Robins variance of its
//! logarithm. Pure.

use super::{Rl, Z95};
use serde::Serialize;

/// One stratum's contribution to the three sums: with minoritised events
/// `a` of `n1`, white events `c` of `n2` and `n = n1 + n2`, `r = a·n2/n`,
/// `s = c·n1/n` and `v = (n1·n2·(a + c) − a·c·n)/n²`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Terms {
    pub r: f64,
    pub s: f64,
    pub v: f64,
}

impl Terms {
    pub fn add(self, o: Terms) -> Terms {
        Terms {
            r: self.r + o.r,
            s: self.s + o.s,
            v: self.v + o.v,
        }
    }
}

/// The terms of one stratum; a stratum without staff adds nothing.
pub fn terms(a: u64, n1: u64, c: u64, n2: u64) -> Terms {
    let n = (n1 + n2) as f64;
    if n1 + n2 == 0 {
        return Terms::default();
    }
    let (a, n1, c, n2) = (a as f64, n1 as f64, c as f64, n2 as f64);
    Terms {
        r: a * n2 / n,
        s: c * n1 / n,
        v: (n1 * n2 * (a + c) - a * c * n) / (n * n),
    }
}

/// The Mantel-Haenszel relative likelihood `Σr / Σs` and its 95% interval
/// `exp(ln RL ± z·sqrt(Σv / (Σr·Σs)))` (Greenland and Robins, 1985).
/// `None` where there is no finite positive estimate: no white events
/// against any minoritised staff (`Σs = 0`) or no minoritised events
/// against any white staff (`Σr = 0`), where the interval does not exist.
pub fn mantel_haenszel(t: Terms) -> Option<Rl> {
    if !(t.r > 0.0 && t.s > 0.0) {
        return None;
    }
    let rl = t.r / t.s;
    let se = (t.v / (t.r * t.s)).max(0.0).sqrt();
    Some(Rl {
        rl,
        lower: (rl.ln() - Z95 * se).exp(),
        upper: (rl.ln() + Z95 * se).exp(),
    })
}
