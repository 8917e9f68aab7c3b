//! A one-off conversion of an OWASP Threat Dragon 2 model (JSON) into item files: actors,
//! processes, data stores, data flows, trust boundaries, the interfaces the flows' protocols
//! name, and draft risks from the threats. Pure: JSON text in, file paths and Markdown out;
//! the edge writes the files (never over existing ones).
//!
//! The shape read is Threat Dragon's version 2 model: `summary.title`, and under
//! `detail.diagrams[].cells[]` each cell's `id`, `shape`, `position`/`size` (boxes),
//! `source.cell`/`target.cell` (flows) and `data` (`type` such as `tm.Process`, `name`,
//! `description`, `outOfScope`, `reasonOutOfScope`, flags such as `isEncrypted`, and
//! `threats[]` with `title`, `type`, `status`, `severity`, `description`, `mitigation`).

use crate::config::StrideConfig;
use crate::model::{Kind, Stride, validate_id};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

/// The files of an import, in the order they were made.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Path relative to the output folder (`processes/PRC-WEB-APP.md`) and content.
    pub files: Vec<(String, String)>,
    /// What was left out or needs attention, one sentence each.
    pub notes: Vec<String>,
}

/// Every imported item is a draft with this tag, so the import is easy to find and review.
pub const TAG: &str = "threat-dragon";

/// Converts a Threat Dragon 2 model.
///
/// # Errors
///
/// A message when the text is not JSON, is a version 1 model, or has no diagrams.
pub fn import(json: &str) -> Result<Imported, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| {
        format!(
            "not a JSON file (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    let diagrams = v["detail"]["diagrams"]
        .as_array()
        .ok_or("not a Threat Dragon model: it has no `detail.diagrams` list")?;
    if diagrams.iter().any(|d| d.get("diagramJson").is_some()) {
        return Err("a Threat Dragon version 1 model: open it in Threat Dragon 2 and save it, which converts it to version 2".into());
    }
    if diagrams.is_empty() {
        return Err("the model has no diagrams".into());
    }
    let title = v["summary"]["title"].as_str().unwrap_or("threat model");
    let mut ctx = Context {
        model_title: one_line(title),
        ..Context::default()
    };
    for (n, d) in diagrams.iter().enumerate() {
        let name = d["title"]
            .as_str()
            .map(one_line)
            .unwrap_or_else(|| format!("diagram {}", n + 1));
        let cells = d["cells"].as_array().map(Vec::as_slice).unwrap_or_default();
        ctx.diagram(&name, cells);
    }
    Ok(ctx.finish())
}

/// One element being converted.
#[derive(Debug)]
struct Element {
    kind: Kind,
    id: String,
    title: String,
    /// Front-matter lines beyond id, kind, title, status and tags.
    keys: Vec<String>,
    body: String,
    /// STRIDE categories that do not apply, with the reasons.
    not_applicable: BTreeMap<Stride, Vec<String>>,
    /// Categories some imported risk analyses (an out-of-scope reason must not contradict).
    analysed: BTreeSet<Stride>,
    /// Interfaces only: the elements whose flows enter by it.
    peers: Vec<String>,
}

#[derive(Debug, Default)]
struct Context {
    model_title: String,
    elements: Vec<Element>,
    /// Cell ID -> index into `elements`.
    by_cell: HashMap<String, usize>,
    ids: BTreeSet<String>,
    /// Interfaces by (target element, protocol): index into `elements`.
    interfaces: BTreeMap<(String, String), usize>,
    risks: Vec<(String, String)>,
    notes: Vec<String>,
}

fn prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => "ACT",
        Kind::Process => "PRC",
        Kind::DataStore => "DS",
        Kind::DataFlow => "DF",
        Kind::Interface => "IF",
        Kind::TrustBoundary => "TB",
        _ => "RSK",
    }
}

fn folder(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => "actors",
        Kind::Process => "processes",
        Kind::DataStore => "data-stores",
        Kind::DataFlow => "data-flows",
        Kind::Interface => "interfaces",
        Kind::TrustBoundary => "trust-boundaries",
        _ => "risks",
    }
}

/// The kind a cell stands for, from its `data.type` (or its `shape` when that is missing);
/// `None` for text blocks and shapes this tool has no kind for.
fn kind_of(cell: &Value) -> Option<Kind> {
    let t = cell["data"]["type"].as_str().unwrap_or_default();
    let shape = cell["shape"].as_str().unwrap_or_default();
    Some(match (t, shape) {
        ("tm.Actor", _) | ("", "actor") => Kind::Actor,
        ("tm.Process", _) | ("", "process") => Kind::Process,
        ("tm.Store", _) | ("", "store") => Kind::DataStore,
        ("tm.Flow", _) | ("", "flow") => Kind::DataFlow,
        ("tm.Boundary" | "tm.BoundaryBox", _) => Kind::TrustBoundary,
        (_, s) if s.starts_with("trust-") => Kind::TrustBoundary,
        _ => return None,
    })
}

fn is_box(cell: &Value) -> bool {
    cell["data"]["type"] == "tm.BoundaryBox"
        || cell["shape"].as_str().is_some_and(|s| s.contains("box"))
}

/// The STRIDE category of a Threat Dragon threat type.
fn category(t: &str) -> Option<Stride> {
    let norm: String = t
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    Stride::ALL.iter().copied().find(|c| {
        c.as_str().replace('-', "") == norm
            || c.title().to_ascii_lowercase().replace(' ', "") == norm
    })
}

fn is_not_applicable(status: &str) -> bool {
    let s: String = status
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    s == "na" || s == "notapplicable"
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A TOML basic string.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(ids: &[String]) -> String {
    format!(
        "[{}]",
        ids.iter()
            .map(|s| toml_string(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

impl Context {
    /// An ID of the kind's prefix and the name in upper case, unique in the import.
    fn new_id(&mut self, kind: Kind, name: &str) -> String {
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_uppercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let mut slug: String = slug.trim_end_matches('-').chars().take(40).collect();
        while slug.ends_with('-') {
            slug.pop();
        }
        let base = if slug.is_empty() {
            prefix(kind).to_string()
        } else {
            format!("{}-{slug}", prefix(kind))
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.ids.contains(&id) || validate_id(&id).is_err() {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.ids.insert(id.clone());
        id
    }

    fn add(&mut self, kind: Kind, name: &str, body: String) -> usize {
        let id = self.new_id(kind, name);
        self.elements.push(Element {
            kind,
            id,
            title: name.to_string(),
            keys: Vec::new(),
            body,
            not_applicable: BTreeMap::new(),
            analysed: BTreeSet::new(),
            peers: Vec::new(),
        });
        self.elements.len() - 1
    }

    fn diagram(&mut self, diagram: &str, cells: &[Value]) {
        let model_title = self.model_title.clone();
        let origin = |cell: &Value| {
            format!(
                "Imported from the OWASP Threat Dragon model \"{model_title}\", diagram \"{diagram}\" (cell `{}`).",
                cell["id"].as_str().unwrap_or("?")
            )
        };
        // Elements first, so flows and boundaries can refer to them.
        let mut boxes = Vec::new();
        for cell in cells {
            let Some(kind) = kind_of(cell) else {
                continue;
            };
            let data = &cell["data"];
            let name = text(&data["name"])
                .or_else(|| text(&cell["attrs"]["text"]["text"]))
                .map(|n| one_line(&n))
                .unwrap_or_else(|| format!("Unnamed {}", kind.noun()));
            match kind {
                Kind::Actor | Kind::Process | Kind::DataStore => {
                    let mut body = origin(cell);
                    if let Some(d) = text(&data["description"]) {
                        let _ = write!(body, "\n\n{d}");
                    }
                    let i = self.add(kind, &name, body);
                    let flags: Vec<&str> = [
                        ("providesAuthentication", "provides authentication"),
                        ("isWebApplication", "is a web application"),
                        ("isALog", "holds logs"),
                        ("storesCredentials", "stores credentials or personal data"),
                        ("isSigned", "signs what it stores"),
                    ]
                    .iter()
                    .filter(|(k, _)| data[*k] == true)
                    .map(|(_, says)| *says)
                    .collect();
                    if !flags.is_empty() {
                        let _ = write!(
                            self.elements[i].body,
                            "\n\nThreat Dragon says it {}.",
                            flags.join(", ")
                        );
                    }
                    if kind == Kind::DataStore && data["isEncrypted"] == true {
                        self.elements[i].keys.push(format!(
                            "encryption = {}",
                            toml_string(
                                "encrypted (Threat Dragon `isEncrypted`): state the mechanism"
                            )
                        ));
                    }
                    self.by_cell
                        .insert(cell["id"].as_str().unwrap_or_default().to_string(), i);
                    self.out_of_scope(i, data);
                }
                Kind::TrustBoundary => boxes.push((cell, name)),
                _ => {}
            }
        }
        for cell in cells.iter().filter(|c| kind_of(c) == Some(Kind::DataFlow)) {
            self.flow(cell, &origin(cell));
        }
        // Boundaries: a box holds the elements whose centre lies inside it, and the boxes
        // that lie wholly inside it; a curve is a line, which holds nothing.
        let rect = |c: &Value| -> Option<[f64; 4]> {
            let x = c["position"]["x"].as_f64()?;
            let y = c["position"]["y"].as_f64()?;
            let w = c["size"]["width"].as_f64()?;
            let h = c["size"]["height"].as_f64()?;
            Some([x, y, x + w, y + h])
        };
        let box_rects: Vec<Option<[f64; 4]>> = boxes
            .iter()
            .map(|(c, _)| if is_box(c) { rect(c) } else { None })
            .collect();
        let mut boundary_index = Vec::new();
        for (cell, name) in &boxes {
            let i = self.add(Kind::TrustBoundary, name, origin(cell));
            boundary_index.push(i);
        }
        for n in 0..boxes.len() {
            let i = boundary_index[n];
            let Some([l, t, r, b]) = box_rects[n] else {
                let _ = write!(
                    self.elements[i].body,
                    "\n\nIn Threat Dragon this boundary is a line, which does not say which elements are inside: list them in `contains`."
                );
                self.notes.push(format!(
                    "trust boundary {} is a line in Threat Dragon: list the elements inside it in `contains`",
                    self.elements[i].id
                ));
                continue;
            };
            let inside = |p: [f64; 4]| p[0] >= l && p[1] >= t && p[2] <= r && p[3] <= b;
            let mut members: Vec<String> = Vec::new();
            for c in cells {
                let Some(&e) = c["id"].as_str().and_then(|id| self.by_cell.get(id)) else {
                    continue;
                };
                if let Some([x0, y0, x1, y1]) = rect(c) {
                    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
                    if cx >= l && cx <= r && cy >= t && cy <= b {
                        members.push(self.elements[e].id.clone());
                    }
                }
            }
            for (m, other) in box_rects.iter().enumerate() {
                if m != n
                    && let Some(o) = other
                    && inside(*o)
                    && !(box_rects[n] == *other && m < n)
                {
                    members.push(self.elements[boundary_index[m]].id.clone());
                }
            }
            if members.is_empty() {
                self.notes.push(format!(
                    "trust boundary {} holds no element in Threat Dragon: list the elements inside it in `contains`",
                    self.elements[i].id
                ));
            } else {
                self.elements[i]
                    .keys
                    .push(format!("contains = {}", toml_list(&members)));
            }
        }
        // Threats last: they name the elements and flows made above.
        for cell in cells {
            let Some(&i) = cell["id"].as_str().and_then(|id| self.by_cell.get(id)) else {
                continue;
            };
            let threats = cell["data"]["threats"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            for t in threats {
                self.threat(i, t, &origin(cell));
            }
        }
    }

    fn flow(&mut self, cell: &Value, origin: &str) {
        let data = &cell["data"];
        let end = |k: &str| {
            cell[k]["cell"]
                .as_str()
                .and_then(|id| self.by_cell.get(id))
                .copied()
                .filter(|&e| self.elements[e].kind.is_node())
        };
        let name = text(&data["name"])
            .or_else(|| text(&cell["labels"][0]["attrs"]["label"]["text"]))
            .map(|n| one_line(&n))
            .unwrap_or_else(|| "Data flow".into());
        let (Some(from), Some(to)) = (end("source"), end("target")) else {
            self.notes.push(format!(
                "data flow \"{name}\" (cell {}) is not attached to an actor, process or data store at both ends: not imported",
                cell["id"].as_str().unwrap_or("?")
            ));
            return;
        };
        if from == to {
            self.notes.push(format!(
                "data flow \"{name}\" goes from {} to itself: not imported",
                self.elements[from].id
            ));
            return;
        }
        let mut body = origin.to_string();
        if let Some(d) = text(&data["description"]) {
            let _ = write!(body, "\n\n{d}");
        }
        if data["isBidirectional"] == true {
            body.push_str("\n\nBidirectional in Threat Dragon: add the flow back if data also move the other way.");
        }
        let i = self.add(Kind::DataFlow, &name, body);
        let (from_id, to_id) = (self.elements[from].id.clone(), self.elements[to].id.clone());
        self.elements[i]
            .keys
            .push(format!("from = {}", toml_string(&from_id)));
        self.elements[i]
            .keys
            .push(format!("to = {}", toml_string(&to_id)));
        if let Some(protocol) = text(&data["protocol"]).map(|p| one_line(&p)) {
            let interface = self.interface(to, &protocol, data);
            let if_id = self.elements[interface].id.clone();
            self.elements[i]
                .keys
                .push(format!("interfaces = {}", toml_list(&[if_id])));
            if !self.elements[interface].peers.contains(&from_id) {
                self.elements[interface].peers.push(from_id);
            }
        }
        self.by_cell
            .insert(cell["id"].as_str().unwrap_or_default().to_string(), i);
        self.out_of_scope(i, data);
    }

    /// The interface of `element` a flow with `protocol` enters by: one per element and
    /// protocol.
    fn interface(&mut self, element: usize, protocol: &str, flow: &Value) -> usize {
        let key = (self.elements[element].id.clone(), protocol.to_string());
        if let Some(&i) = self.interfaces.get(&key) {
            return i;
        }
        let owner = self.elements[element].title.clone();
        let body = format!(
            "Made by the import from the protocol \"{protocol}\" of the Threat Dragon data flows into {owner}. Threat Dragon has no interfaces: check the port, direction, exposure and authentication."
        );
        let i = self.add(Kind::Interface, &format!("{owner} {protocol}"), body);
        let mut keys = vec![
            format!("element = {}", toml_string(&key.0)),
            format!("protocol = {}", toml_string(protocol)),
            "direction = \"inbound\"".to_string(),
        ];
        if flow["isPublicNetwork"] == true {
            keys.push("exposure = \"network\"".into());
        }
        if flow["isEncrypted"] == true {
            keys.push(format!(
                "encryption = {}",
                toml_string("encrypted (Threat Dragon `isEncrypted`): state the mechanism")
            ));
        }
        self.elements[i].keys = keys;
        self.interfaces.insert(key, i);
        i
    }

    /// An element marked out of scope: every STRIDE category of its type does not apply,
    /// for the reason given in Threat Dragon.
    fn out_of_scope(&mut self, i: usize, data: &Value) {
        if data["outOfScope"] != true {
            return;
        }
        let reason = match text(&data["reasonOutOfScope"]) {
            Some(r) => format!("out of scope in Threat Dragon: {}", one_line(&r)),
            None => "marked out of scope in Threat Dragon (no reason given)".into(),
        };
        let kind = self.elements[i].kind;
        for &c in StrideConfig::default().categories(kind) {
            self.elements[i]
                .not_applicable
                .entry(c)
                .or_default()
                .push(reason.clone());
        }
    }

    fn threat(&mut self, i: usize, t: &Value, origin: &str) {
        let title = text(&t["title"])
            .map(|s| one_line(&s))
            .unwrap_or_else(|| "Untitled threat".into());
        let category = t["type"].as_str().and_then(category);
        let status = t["status"].as_str().unwrap_or_default();
        let element = &self.elements[i];
        let (kind, element_id) = (element.kind, element.id.clone());
        if is_not_applicable(status) {
            match category {
                Some(c) if StrideConfig::default().categories(kind).contains(&c) => {
                    let reason = text(&t["description"])
                        .or_else(|| text(&t["mitigation"]))
                        .map(|r| one_line(&r))
                        .unwrap_or_else(|| format!("marked not applicable in Threat Dragon: {title}"));
                    self.elements[i].not_applicable.entry(c).or_default().push(reason);
                }
                _ => self.notes.push(format!(
                    "threat \"{title}\" of {element_id} is marked not applicable for a category that does not apply to {}: not imported",
                    kind.with_article()
                )),
            }
            return;
        }
        let n = self.risks.len() + 1;
        let id = format!("RSK-TD-{n:03}");
        self.ids.insert(id.clone());
        let key = if kind == Kind::DataFlow {
            "data-flows"
        } else {
            "elements"
        };
        let mut fm = format!(
            "+++\nid = {}\nkind = \"risk\"\ntitle = {}\nstatus = \"draft\"\ntags = [\"{TAG}\"]\nthreat = {}\n{key} = {}\n",
            toml_string(&id),
            toml_string(&title),
            toml_string(&title),
            toml_list(std::slice::from_ref(&element_id))
        );
        match category {
            Some(c) => {
                let _ = writeln!(fm, "stride = [\"{}\"]", c.as_str());
                self.elements[i].analysed.insert(c);
            }
            None => self.notes.push(format!(
                "threat \"{title}\" ({id}) has the type \"{}\", which is not a STRIDE category: set `stride` by hand",
                t["type"].as_str().unwrap_or("")
            )),
        }
        fm.push_str("+++\n");
        let mut body = format!("{origin}\n");
        for (label, key) in [
            ("Description", "description"),
            ("Mitigation (Threat Dragon)", "mitigation"),
        ] {
            if let Some(v) = text(&t[key]) {
                let _ = write!(body, "\n**{label}.** {v}\n");
            }
        }
        let facts: Vec<String> = [
            ("status", "status"),
            ("severity", "severity"),
            ("score", "score"),
        ]
        .iter()
        .filter_map(|(label, k)| text(&t[*k]).map(|v| format!("{label} {v}")))
        .collect();
        if !facts.is_empty() {
            let _ = write!(
                body,
                "\nIn Threat Dragon: {}. Estimate the risk on the scales of the risk management plan before review.\n",
                facts.join(", ")
            );
        }
        self.risks
            .push((format!("risks/{id}.md"), format!("{fm}{body}")));
    }

    fn finish(mut self) -> Imported {
        let mut files = Vec::new();
        for e in &mut self.elements {
            // A category some risk analyses is not also declared not applicable.
            let analysed = e.analysed.clone();
            e.not_applicable.retain(|c, _| !analysed.contains(c));
            let mut fm = format!(
                "+++\nid = {}\nkind = \"{}\"\ntitle = {}\nstatus = \"draft\"\ntags = [\"{TAG}\"]\n",
                toml_string(&e.id),
                e.kind.as_str(),
                toml_string(&e.title)
            );
            for k in &e.keys {
                fm.push_str(k);
                fm.push('\n');
            }
            if !e.peers.is_empty() {
                let _ = writeln!(fm, "peers = {}", toml_list(&e.peers));
            }
            if !e.not_applicable.is_empty() {
                let entries: Vec<String> = e
                    .not_applicable
                    .iter()
                    .map(|(c, reasons)| {
                        format!("{} = {}", c.as_str(), toml_string(&reasons.join(" / ")))
                    })
                    .collect();
                let _ = writeln!(fm, "not-applicable = {{ {} }}", entries.join(", "));
            }
            fm.push_str("+++\n");
            files.push((
                format!("{}/{}.md", folder(e.kind), e.id),
                format!("{fm}{}\n", e.body),
            ));
        }
        files.extend(self.risks);
        Imported {
            files,
            notes: self.notes,
        }
    }
}
