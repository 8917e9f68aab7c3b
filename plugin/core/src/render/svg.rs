//! A laid-out data-flow diagram as inline SVG: vector, so it stays sharp in the PDF; sized
//! by its `viewBox`, so it shrinks to the width of the page; no script and no ids, so it
//! can appear on any page any number of times. Every shape is a link to its item, and every
//! text from an item is escaped.

use super::html;
use crate::model::Kind;
use crate::threat::Model;
use crate::threat::diagram::{Diagram, FONT_SIZE};
use crate::threat::layout::{Placement, Point};
use std::collections::HashMap;
use std::fmt::Write;

const BOUNDARY: &str = "#b00020";
const INK: &str = "#1b1b1b";
const CONTEXT: &str = "#6b6b6b";

/// The diagram as an HTML `<figure>` holding the SVG and its legend. `href` gives the link
/// to an item's section (`None`: not placed in the book, drawn without a link); `note` is
/// added to the caption.
pub(crate) fn render(
    model: &Model<'_, '_>,
    diagram: &Diagram,
    placement: &Placement,
    caption: &str,
    note: Option<&str>,
    href: &dyn Fn(usize) -> Option<String>,
) -> String {
    let (w, h) = (placement.width, placement.height);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" style=\"max-width: 100%; height: auto;\" role=\"img\" aria-label=\"{}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"{}\">",
        num(w),
        num(h),
        num(w * 4.0 / 3.0),
        num(h * 4.0 / 3.0),
        html(caption),
        num(FONT_SIZE)
    );
    let _ = writeln!(svg, "<title>{}</title>", html(caption));
    let named = |prefix: &str, name: &str| -> Option<usize> {
        name.strip_prefix(prefix).and_then(|k| k.parse().ok())
    };
    // Clusters first (outermost first, which is Graphviz's order), so boundaries lie under
    // the shapes they hold.
    for cluster in &placement.clusters {
        let [l, t, r, b] = cluster.rect;
        let Some(k) = named("cluster_", &cluster.name) else {
            continue;
        };
        let Some(&boundary) = diagram.boundaries.get(k) else {
            continue;
        };
        let item = model.item(boundary);
        let mut body = format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"none\" stroke=\"{BOUNDARY}\" stroke-width=\"1.2\" stroke-dasharray=\"6 3\"/>",
            num(l),
            num(t),
            num(r - l),
            num(b - t)
        );
        if let Some(p) = cluster.label {
            let text = diagram.boundary_labels[k].join(" ");
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{BOUNDARY}\">{}</text>",
                num(p.x),
                num(p.y + FONT_SIZE * 0.35),
                html(&text)
            );
        }
        svg.push_str(&linked(href(boundary), &item.id, &item.title, &body));
    }
    let nodes: HashMap<&str, (Point, f64, f64)> = placement
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), (n.centre, n.width, n.height)))
        .collect();
    for edge in &placement.edges {
        let points = &edge.points;
        let Some(&flow) = named("f", &edge.id).and_then(|k| diagram.flows.get(k)) else {
            continue;
        };
        let Some(first) = points.first() else {
            continue;
        };
        let item = model.item(flow);
        let mut d = format!("M{},{}", num(first.x), num(first.y));
        for seg in points[1..].chunks(3) {
            if let [a, b, c] = seg {
                let _ = write!(
                    d,
                    " C{},{} {},{} {},{}",
                    num(a.x),
                    num(a.y),
                    num(b.x),
                    num(b.y),
                    num(c.x),
                    num(c.y)
                );
            }
        }
        let mut body =
            format!("<path d=\"{d}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"1\"/>");
        if let (Some(tip), Some(last)) = (edge.tip, points.last()) {
            body.push_str(&arrow(*last, tip));
        }
        if let Some(p) = edge.label {
            let _ = write!(
                body,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{INK}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                num(p.x),
                num(p.y + FONT_SIZE * 0.35),
                html(&item.id)
            );
        }
        svg.push_str(&linked(href(flow), &item.id, &item.title, &body));
    }
    for (k, &(element, context)) in diagram.nodes.iter().enumerate() {
        let Some(&(c, w, h)) = nodes.get(format!("n{k}").as_str()) else {
            continue;
        };
        let item = model.item(element);
        let (stroke, fill, text) = if context {
            (CONTEXT, "#f2f2f2", CONTEXT)
        } else {
            (INK, "#ffffff", INK)
        };
        let dash = if context {
            " stroke-dasharray=\"3 2\""
        } else {
            ""
        };
        let (l, t) = (c.x - w / 2.0, c.y - h / 2.0);
        let mut body = match item.kind {
            Kind::Process => format!(
                "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" fill=\"{}\" stroke=\"{stroke}\"{dash}/>",
                num(c.x),
                num(c.y),
                num(w / 2.0),
                num(h / 2.0),
                if context { fill } else { "#eef3fb" }
            ),
            // A data store is drawn as in data-flow diagrams: open at the sides.
            Kind::DataStore => format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/><path d=\"M{},{} H{} M{},{} H{}\" stroke=\"{stroke}\" stroke-width=\"1.5\"{dash}/>",
                num(l),
                num(t),
                num(w),
                num(h),
                if context { fill } else { "#f6f1e6" },
                num(l),
                num(t),
                num(l + w),
                num(l),
                num(t + h),
                num(l + w)
            ),
            _ => format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\"{dash}/>",
                num(l),
                num(t),
                num(w),
                num(h)
            ),
        };
        let lines = &diagram.labels[k];
        let line_height = FONT_SIZE * 1.2;
        let first = c.y - (lines.len() as f64 - 1.0) * line_height / 2.0 + FONT_SIZE * 0.35;
        let _ = write!(body, "<text text-anchor=\"middle\" fill=\"{text}\">");
        for (n, line) in lines.iter().enumerate() {
            let is_id = n + 1 == lines.len();
            let _ = write!(
                body,
                "<tspan x=\"{}\" y=\"{}\"{}>{}</tspan>",
                num(c.x),
                num(first + n as f64 * line_height),
                if is_id { " fill-opacity=\"0.75\"" } else { "" },
                html(line)
            );
        }
        body.push_str("</text>");
        svg.push_str(&linked(href(element), &item.id, &item.title, &body));
    }
    svg.push_str("</svg>");
    let context = diagram.nodes.iter().any(|&(_, c)| c);
    let note = note.map(|n| format!(" {}", html(n))).unwrap_or_default();
    format!(
        "<figure class=\"techfile-dfd\">\n{svg}\n<figcaption>{}.{note}<br>{}</figcaption>\n</figure>\n",
        html(caption),
        legend(context)
    )
}

/// One shape wrapped in a link to its item, with the ID and title as a tooltip.
fn linked(href: Option<String>, id: &str, title: &str, body: &str) -> String {
    let tip = format!("<title>{}: {}</title>", html(id), html(title));
    match href {
        Some(h) => format!("<a href=\"{}\">{tip}{body}</a>\n", html(&h)),
        None => format!("<g>{tip}{body}</g>\n"),
    }
}

/// The arrow head of a flow, from the last point of its curve to the tip.
fn arrow(from: Point, tip: Point) -> String {
    let (dx, dy) = (tip.x - from.x, tip.y - from.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 0.01 {
        return String::new();
    }
    let (px, py) = (-dy / len * 3.5, dx / len * 3.5);
    format!(
        "<polygon points=\"{},{} {},{} {},{}\" fill=\"{INK}\"/>",
        num(tip.x),
        num(tip.y),
        num(from.x + px),
        num(from.y + py),
        num(from.x - px),
        num(from.y - py)
    )
}

/// The key to the shapes, as small inline pictures.
fn legend(context: bool) -> String {
    let icon = |body: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 30 16\" width=\"30\" height=\"16\" aria-hidden=\"true\" style=\"vertical-align: middle;\">{body}</svg>"
        )
    };
    let mut parts = vec![
        format!(
            "{} actor",
            icon(&format!(
                "<rect x=\"2\" y=\"2\" width=\"26\" height=\"12\" fill=\"#ffffff\" stroke=\"{INK}\"/>"
            ))
        ),
        format!(
            "{} process",
            icon(&format!(
                "<ellipse cx=\"15\" cy=\"8\" rx=\"13\" ry=\"6\" fill=\"#eef3fb\" stroke=\"{INK}\"/>"
            ))
        ),
        format!(
            "{} data store",
            icon(&format!(
                "<rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" fill=\"#f6f1e6\"/><path d=\"M2,3 H28 M2,13 H28\" stroke=\"{INK}\" stroke-width=\"1.5\"/>"
            ))
        ),
        format!(
            "{} data flow",
            icon(&format!(
                "<path d=\"M2,8 H22\" stroke=\"{INK}\"/><polygon points=\"28,8 21,4.5 21,11.5\" fill=\"{INK}\"/>"
            ))
        ),
        format!(
            "{} trust boundary",
            icon(&format!(
                "<rect x=\"2\" y=\"2\" width=\"26\" height=\"12\" rx=\"3\" fill=\"none\" stroke=\"{BOUNDARY}\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"/>"
            ))
        ),
    ];
    if context {
        parts.push(format!(
            "{} outside this view",
            icon(&format!(
                "<rect x=\"2\" y=\"2\" width=\"26\" height=\"12\" fill=\"#f2f2f2\" stroke=\"{CONTEXT}\" stroke-dasharray=\"3 2\"/>"
            ))
        ));
    }
    format!(
        "<span class=\"techfile-dfd-legend\">{}</span>",
        parts.join(" &nbsp; ")
    )
}

/// A coordinate with one decimal, the same text on every machine.
pub(crate) fn num(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    if t.is_multiple_of(10) {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_decimal_and_no_negative_zero() {
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(1e9), "1000000000");
    }
}
