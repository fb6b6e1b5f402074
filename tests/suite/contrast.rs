//! Colour contrast of chart text, computed (axe-core leaves text drawn in
//! SVG "incomplete"): every `<text>` of every chart of the demo release
//! (the national charts, and the charts inside every web page) has a
//! contrast of at least 4.5:1 (WCAG 2.2 1.4.3, small text) against the
//! chart's white background and its shaded band, the two colours text is
//! drawn on.

use crate::common::*;
use std::path::Path;

/// WCAG 2 relative luminance of `#RRGGBB`.
fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let ch = |i: usize| {
        let v = u8::from_str_radix(&h[i..i + 2], 16).unwrap() as f64 / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4)
}

fn ratio(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The fill of every `<text` element of `svg`.
fn text_fills(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find('>')?];
            let fill = tag.split("fill=\"").nth(1)?;
            Some(fill[..fill.find('"')?].to_string())
        })
        .collect()
}

#[test]
fn the_formula_is_wcags() {
    assert!((ratio("#000000", "#FFFFFF") - 21.0).abs() < 1e-9);
    assert!((ratio("#777777", "#FFFFFF") - 4.48).abs() < 0.01);
    // The Analysis Function's orange and turquoise fail as small text.
    assert!(ratio("#F46A25", "#FFFFFF") < 4.5 && ratio("#28A197", "#FFFFFF") < 4.5);
}

#[test]
fn every_chart_text_can_be_read() {
    let (out, _) = read_report(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"));
    let public = out.path().join("2024/public");
    let mut sources: Vec<(String, String)> = Vec::new();
    for dir in ["national/charts", "national", "local"] {
        for e in std::fs::read_dir(public.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "svg" || x == "html") {
                sources.push((
                    p.display().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                ));
            }
        }
    }
    let mut texts = 0;
    for (name, text) in &sources {
        for fill in text_fills(text) {
            texts += 1;
            for bg in ["#FFFFFF", "#EAEFF4"] {
                let r = ratio(&fill, bg);
                assert!(r >= 4.5, "{name}: text in {fill} on {bg}: contrast {r:.2}");
            }
        }
    }
    assert!(texts > 1000, "{texts} chart texts");
    labels_do_not_overlap(&sources);
}

/// Issue 38, item 6: no two texts of a chart overlap (their boxes as
/// `crate::common::text_boxes` estimates them), in every chart of the release.
fn labels_do_not_overlap(sources: &[(String, String)]) {
    let mut charts = 0;
    for (name, text) in sources {
        for svg in text.split("<svg").skip(1) {
            let svg = &svg[..svg.find("</svg>").unwrap_or(svg.len())];
            charts += 1;
            let boxes = text_boxes(svg);
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(!overlaps(a, b), "{name}: {a:?} overlaps {b:?}");
                }
            }
        }
    }
    assert!(charts > 100, "{charts} charts");
}

/// The overlap check can fail: two labels drawn at one place.
#[test]
fn overlapping_labels_are_found() {
    let svg = r#"<text x="10" y="20" font-size="12">0.52</text><text x="20" y="22" font-size="12">0.55</text><text x="200" y="22" font-size="12">far</text>"#;
    let b = text_boxes(svg);
    assert_eq!(b.len(), 3);
    assert!(overlaps(&b[0], &b[1]) && !overlaps(&b[0], &b[2]));
}
