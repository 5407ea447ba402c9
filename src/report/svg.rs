//! The timeline as an inline SVG Gantt chart: one row and one bar per step that ran, on one time
//! axis from the operation's start, coloured by the step's mark, with tick marks in seconds.

use super::facts::Facts;
use std::fmt::Write;

const ROW_H: f64 = 18.0;
const LABEL_W: f64 = 300.0;
const CHART_W: f64 = 560.0;
const TOP: f64 = 22.0;

/// The axis's end: the last step's end, or the operation's elapsed time.
fn span(f: &Facts) -> f64 {
    f.steps
        .iter()
        .filter_map(|s| s.end_offset_seconds.or(s.start_offset_seconds))
        .fold(f.elapsed_seconds.unwrap_or(0.0), f64::max)
        .max(1.0)
}

pub fn gantt(f: &Facts) -> String {
    let total = span(f);
    let x = |secs: f64| LABEL_W + secs / total * CHART_W;
    let height = TOP + ROW_H * f.steps.len() as f64 + 8.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="gantt" role="img" viewBox="0 0 {w} {height}" width="100%" aria-label="Timeline of {n} steps">"#,
        w = LABEL_W + CHART_W + 10.0,
        n = f.steps.len()
    );
    for i in 0..=4 {
        let secs = total * f64::from(i) / 4.0;
        let _ = write!(
            out,
            r#"<line class="tick" x1="{x:.1}" y1="14" x2="{x:.1}" y2="{height}"/><text class="axis" x="{x:.1}" y="11">+{secs:.0}s</text>"#,
            x = x(secs)
        );
    }
    for (i, s) in f.steps.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let _ = write!(
            out,
            r#"<text class="label" x="4" y="{ty:.1}">{}</text>"#,
            esc(&s.label),
            ty = y + 12.0
        );
        let Some(a) = s.start_offset_seconds else {
            let _ = write!(
                out,
                r#"<text class="never" x="{:.1}" y="{:.1}">{}</text>"#,
                LABEL_W + 2.0,
                y + 12.0,
                esc(&s.mark.replace('_', " "))
            );
            continue;
        };
        let b = s.end_offset_seconds.unwrap_or(total);
        let w = (x(b) - x(a)).max(2.0);
        let _ = write!(
            out,
            r#"<rect class="bar {mark}" data-step="{id}" x="{x0:.1}" y="{y0:.1}" width="{w:.1}" height="12"><title>{label}: {mark} ({took:.1} s)</title></rect>"#,
            mark = esc(&s.mark),
            id = esc(&s.id),
            x0 = x(a),
            y0 = y + 2.0,
            label = esc(&s.label),
            took = b - a
        );
    }
    out.push_str("</svg>");
    out
}

/// Text made safe inside XML and HTML elements and attributes (the SVG and the page around it).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
