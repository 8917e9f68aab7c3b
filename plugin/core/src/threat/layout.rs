//! The interface to the layout engine, and the layout it returns.
//!
//! The core writes each diagram as DOT text and draws the SVG itself; only the placement of
//! nodes, clusters and edges comes from Graphviz `dot` (`-Tjson0`), which the edge runs with
//! a time limit. Nothing here runs a process.

use serde_json::Value;

/// Lays out a graph written in the DOT language the way Graphviz `dot -Tjson0` does.
/// Implemented by the edge, which runs the program with the configured time limit.
pub trait Layout: Send + Sync + std::fmt::Debug {
    /// The layout of `dot` as Graphviz JSON text (`-Tjson0`).
    ///
    /// # Errors
    ///
    /// [`LayoutError`] when the program is missing, exceeds the time limit, or fails.
    fn layout(&self, dot: &str) -> Result<String, LayoutError>;
}

/// Why a diagram has no layout.
#[derive(Clone, Debug, PartialEq)]
pub enum LayoutError {
    /// The layout program could not be started; the text says which program and why.
    Missing(String),
    /// The program did not finish within the limit, in seconds.
    TimedOut(f64),
    /// The program failed; the text is what it said.
    Failed(String),
}

/// A point in Graphviz points (1/72 inch), y growing downwards as in SVG.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    pub(crate) x: f64,
    pub(crate) y: f64,
}

/// Where `dot` put everything, in points with the origin at the top left.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Placement {
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) clusters: Vec<Cluster>,
    pub(crate) nodes: Vec<PlacedNode>,
    pub(crate) edges: Vec<PlacedEdge>,
}

/// A cluster (`cluster_3`): its box as (left, top, right, bottom) and its label's centre.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cluster {
    pub(crate) name: String,
    pub(crate) rect: [f64; 4],
    pub(crate) label: Option<Point>,
}

/// A node (`n3`): its centre, width and height (in points).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedNode {
    pub(crate) name: String,
    pub(crate) centre: Point,
    pub(crate) width: f64,
    pub(crate) height: f64,
}

/// An edge, by its `id` attribute (`f3`): the cubic B-spline control points (the first
/// point, then three per segment), the arrow tip if any, and the label's centre.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlacedEdge {
    pub(crate) id: String,
    pub(crate) points: Vec<Point>,
    pub(crate) tip: Option<Point>,
    pub(crate) label: Option<Point>,
}

/// Reads Graphviz JSON (`-Tjson0`) into a [`Placement`].
///
/// # Errors
///
/// A message when the text is not the JSON Graphviz writes (a broken or foreign program).
pub(crate) fn parse(json: &str) -> Result<Placement, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let bb = numbers(v["bb"].as_str().ok_or("no bounding box `bb`")?)?;
    let [x0, y0, x1, y1] = four(&bb)?;
    let height = y1 - y0;
    // Graphviz puts y upwards from the bottom; SVG downwards from the top.
    let flip = |x: f64, y: f64| Point {
        x: x - x0,
        y: height - (y - y0),
    };
    let mut out = Placement {
        width: x1 - x0,
        height,
        ..Placement::default()
    };
    let empty = Vec::new();
    for o in v["objects"].as_array().unwrap_or(&empty) {
        let name = o["name"].as_str().unwrap_or_default().to_string();
        if let Some(bb) = o["bb"].as_str() {
            let [l, b, r, t] = four(&numbers(bb)?)?;
            let top_left = flip(l, t);
            let bottom_right = flip(r, b);
            let label = match o["lp"].as_str() {
                Some(lp) => {
                    let [x, y] = two(&numbers(lp)?)?;
                    Some(flip(x, y))
                }
                None => None,
            };
            out.clusters.push(Cluster {
                name,
                rect: [top_left.x, top_left.y, bottom_right.x, bottom_right.y],
                label,
            });
        } else if let Some(pos) = o["pos"].as_str() {
            let [x, y] = two(&numbers(pos)?)?;
            let inches = |k: &str| -> Result<f64, String> {
                o[k].as_str()
                    .and_then(|s| s.parse::<f64>().ok())
                    .map(|n| n * 72.0)
                    .ok_or_else(|| format!("node {name} has no {k}"))
            };
            let (width, height) = (inches("width")?, inches("height")?);
            out.nodes.push(PlacedNode {
                name,
                centre: flip(x, y),
                width,
                height,
            });
        }
    }
    for e in v["edges"].as_array().unwrap_or(&empty) {
        let id = e["id"].as_str().unwrap_or_default().to_string();
        let Some(pos) = e["pos"].as_str() else {
            continue;
        };
        let mut points = Vec::new();
        let mut tip = None;
        for part in pos.split_whitespace() {
            if let Some(end) = part.strip_prefix("e,") {
                let [x, y] = two(&numbers(end)?)?;
                tip = Some(flip(x, y));
            } else if part.starts_with("s,") {
                // An arrow at the start: flows are drawn with one arrow, at the end.
            } else {
                let [x, y] = two(&numbers(part)?)?;
                points.push(flip(x, y));
            }
        }
        // `lp` for a label laid out with the graph, `xlp` for one placed afterwards.
        let label = match e["lp"].as_str().or_else(|| e["xlp"].as_str()) {
            Some(lp) => {
                let [x, y] = two(&numbers(lp)?)?;
                Some(flip(x, y))
            }
            None => None,
        };
        out.edges.push(PlacedEdge {
            id,
            points,
            tip,
            label,
        });
    }
    Ok(out)
}

fn numbers(s: &str) -> Result<Vec<f64>, String> {
    s.split(',')
        .map(|n| {
            n.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{s}` is not a list of numbers"))
        })
        .collect()
}

fn four(v: &[f64]) -> Result<[f64; 4], String> {
    v.try_into()
        .map_err(|_| format!("expected four numbers, found {}", v.len()))
}

fn two(v: &[f64]) -> Result<[f64; 2], String> {
    // Edge points may carry a third coordinate in 3-D layouts; only x and y matter.
    match v {
        [x, y, ..] => Ok([*x, *y]),
        _ => Err(format!("expected a point, found {} numbers", v.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphviz_json_becomes_a_placement_with_y_down() {
        let json = r#"{"bb":"0,0,200,100","objects":[
            {"name":"cluster_0","bb":"8,8,120,95","lp":"64,83.5","nodes":[1]},
            {"_gvid":1,"name":"n0","pos":"64,40","width":"1","height":"0.5"},
            {"_gvid":2,"name":"n1","pos":"180,40","width":"0.5","height":"0.5"}],
            "edges":[{"tail":1,"head":2,"id":"f0","pos":"e,160,40 100,40 120,40 140,40 150,40","lp":"130,47.5"}]}"#;
        let p = parse(json).unwrap();
        assert_eq!((p.width, p.height), (200.0, 100.0));
        assert_eq!(p.clusters[0].rect, [8.0, 5.0, 120.0, 92.0]);
        assert_eq!(p.nodes[0].centre, Point { x: 64.0, y: 60.0 });
        assert_eq!(p.nodes[0].width, 72.0);
        let e = &p.edges[0];
        assert_eq!(e.id, "f0");
        assert_eq!(e.points.len(), 4);
        assert_eq!(e.tip, Some(Point { x: 160.0, y: 60.0 }));
        assert_eq!(e.label, Some(Point { x: 130.0, y: 52.5 }));
    }

    #[test]
    fn foreign_output_is_an_error_not_a_panic() {
        assert!(parse("digraph {}").is_err());
        assert!(parse("{}").is_err());
        assert!(parse(r#"{"bb":"0,0,1"}"#).is_err());
        assert!(parse(r#"{"bb":"0,0,1,1","objects":[{"name":"n0","pos":"x,1"}]}"#).is_err());
    }
}
