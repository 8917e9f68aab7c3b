//! The generated pages: one page per item kind (each item with its facts, its place in the
//! chain and its body) and the catalog page.

use super::directive;
use super::site::{Host, Site};
use super::{Mapped, heading_inserts, html, markdown_inline};
use crate::catalog::EntryKind;
use crate::graph::Node;
use crate::model::{Kind, Relation, Span, anchor};
use std::fmt::Write;

impl Site<'_, '_> {
    /// The page listing every item of one kind, sorted by ID. Generated text is blamed on
    /// `blame` (the directive that placed the page), or on each item when no directive did;
    /// item bodies keep their own file positions.
    pub(crate) fn item_page(
        &self,
        kind: Kind,
        page: &str,
        with_title: bool,
        blame: Option<Span>,
    ) -> Mapped {
        let g = self.graph;
        let mut items: Vec<usize> = (0..g.items.len())
            .filter(|&i| g.items[i].kind == kind && g.is_canonical(i))
            .collect();
        items.sort_by(|a, b| g.items[*a].id.cmp(&g.items[*b].id));
        let mut head = String::new();
        if with_title {
            // An explicit id keeps the title's own anchor out of the item anchors' way (an
            // item called `REQUIREMENTS` would otherwise share `#requirements`).
            let _ = writeln!(
                head,
                "# {} {{#techfile-{}}}\n",
                kind.plural_title(),
                Host::Items(kind).file_stem()
            );
        }
        head.push_str(super::STYLE);
        head.push('\n');
        if items.is_empty() {
            let _ = writeln!(head, "*No {} items.*\n", kind.as_str());
        }
        let mut out = Mapped::generated(head, blame);
        for i in items {
            self.item_section(i, page, blame, &mut out);
        }
        out
    }

    fn item_section(&self, i: usize, page: &str, blame: Option<Span>, out: &mut Mapped) {
        let g = self.graph;
        let item = &g.items[i];
        let blame = blame.or(Some(item.id_span));
        let mut head = String::new();
        let _ = writeln!(
            head,
            "## {}: {} {{#{}}}\n",
            markdown_inline(&item.id),
            markdown_inline(&item.title),
            anchor(&item.id)
        );
        if self.outline {
            // The table of facts and the trace lists are HTML blocks without ids or
            // Markdown. A stand-in block ends an open HTML block wherever they would (at
            // a line with `>`, or a blank line) and ends nothing else they would not.
            const STAND_IN: &str = "<div></div>\n\n";
            head.push_str(STAND_IN);
            out.push_generated(&head, blame);
            self.push_body(i, page, blame, out);
            out.push_generated(STAND_IN, blame);
            return;
        }
        head.push_str("<table class=\"techfile-meta\">\n");
        let mut row = |k: &str, v: String| {
            let _ = writeln!(head, "<tr><td>{k}</td><td>{v}</td></tr>");
        };
        // No "Kind" row: the heading's ID and the page or chapter say it.
        row("Status", html(item.status.as_str()));
        if let Some(r) = item.result {
            row("Result", html(r.as_str()));
        }
        if let Some(o) = &item.owner {
            row("Owner", html(o));
        }
        if let Some(v) = &item.version {
            row("Version", html(v));
        }
        if !item.tags.is_empty() {
            row("Tags", html(&item.tags.join(", ")));
        }
        if let Some(d) = item.last_reviewed {
            row("Last reviewed", d.to_string());
        }
        if let Some(d) = item.next_review {
            row("Next review", d.to_string());
        }
        if let Some(r) = &item.rationale {
            row("Rationale", super::html_lines(r));
        }
        if item.kind == Kind::Control {
            row(
                "Measure",
                match &item.measure {
                    Some(m) => html(m.value.label()),
                    None => "<em>type not stated</em>".into(),
                },
            );
        }
        if item.kind == Kind::Procedure {
            row(
                "Document",
                match &item.document {
                    Some(d) => html(&d.value),
                    None => "<em>not named</em>".into(),
                },
            );
        }
        if let Some(fields) = &item.risk {
            for (k, v) in super::risk::item_rows(self.risk, fields) {
                row(k, v);
            }
        }
        if item.model.is_some() {
            for (k, v) in super::threat::item_rows(self.model(), i) {
                row(k, v);
            }
        }
        if let Some(review) = super::reviews::item_review(self, page, i) {
            row("Review", review);
        }
        row("Source", format!("<code>{}</code>", html(&item.path)));
        head.push_str("</table>\n\n");
        out.push_generated(&head, blame);
        self.push_body(i, page, blame, out);
        let mut trace = String::from("<div class=\"techfile-trace\">\n");
        for relation in Relation::ALL {
            if !relation.is_declared_by(item.kind) {
                continue;
            }
            let ids: Vec<&str> = item.links_of(relation).map(|l| l.target.as_str()).collect();
            // The threat-model keys are optional on a risk; a book without a model should
            // not show four empty lines under every risk.
            if ids.is_empty() && !Relation::TRACE.contains(&relation) {
                continue;
            }
            let label = relation.label();
            let mut cap = label[..1].to_uppercase();
            cap.push_str(&label[1..]);
            // What the author wrote, named in full.
            trace.push_str(&self.links_line(page, &cap, &ids, true));
        }
        if let Some(found) = self.sboms.affects.get(i)
            && !item.affects.is_empty()
        {
            let list: Vec<String> = found
                .iter()
                .map(|&c| super::sbom::object_link(self, page, c))
                .collect();
            let list = if list.is_empty() {
                "<em>none</em>".to_string()
            } else {
                list.join(", ")
            };
            let _ = writeln!(trace, "<p><strong>Affects:</strong> {list}</p>");
        }
        // Where the item sits in the whole chain: the regulation above it and the tests
        // below it, so a reader need not follow the links one by one. These lists and the
        // inverse links are derived, long in a large book, and each ID is named in full on
        // its own entry, so they show IDs with the title as tooltip: titles here made up
        // most of the words mdBook's search index reads (see README, Benchmarks).
        // Practices the item names itself (a requirement's `derives-from`) are on the line
        // above with their titles; this line adds those reached through other items and is
        // left out when there are none.
        let upstream = g.practices_above(i);
        let written: Vec<&str> = Relation::ALL
            .iter()
            .filter(|r| r.source_kinds().contains(&item.kind))
            .flat_map(|&r| item.links_of(r).map(|l| l.target.as_str()))
            .collect();
        let reached: Vec<&str> = upstream
            .iter()
            .copied()
            .filter(|id| !written.contains(id))
            .collect();
        if !reached.is_empty() {
            trace.push_str(&self.links_line(page, "Practices", &reached, false));
        }
        if item.kind != Kind::Requirement {
            // The practices are listed just above; the basis adds the other entries
            // (IEC 62443-4-1, IEC 81001-5-1, Annex I) and is left out when there are none.
            let catalog: Vec<&str> = g
                .catalog_above(i)
                .into_iter()
                .filter(|id| !upstream.contains(id))
                .collect();
            if !catalog.is_empty() {
                trace.push_str(&self.links_line(page, "Regulatory basis", &catalog, false));
            }
        }
        let below = self.tests_below(i);
        if matches!(item.kind, Kind::Requirement | Kind::Risk) {
            let ids: Vec<&str> = below.iter().map(|&t| g.items[t].id.as_str()).collect();
            trace.push_str(&self.links_line(page, "Tests in the chain", &ids, false));
        }
        for relation in Relation::ALL {
            // Where an element sits is listed with every boundary around it, below.
            if !relation.accepts(Some(item.kind)) || relation == Relation::Contains {
                continue;
            }
            let by = g.traced_by(Node::Item(i), relation);
            if by.is_empty() && !expects_inverse(item.kind, relation) {
                continue;
            }
            let ids: Vec<&str> = by.iter().map(|&j| g.items[j].id.as_str()).collect();
            let label = relation.inverse_label();
            let mut cap = label[..1].to_uppercase();
            cap.push_str(&label[1..]);
            trace.push_str(&self.links_line(page, &cap, &ids, false));
        }
        if item.kind.is_model() {
            trace.push_str(&super::threat::trace_lines(self, page, i));
        }
        trace.push_str("</div>\n\n");
        out.push_generated(&trace, blame);
    }

    /// Appends an item's body (when it has one) and a blank line, closing a code block the
    /// body leaves open so it cannot swallow what follows.
    fn push_body(&self, i: usize, page: &str, blame: Option<Span>, out: &mut Mapped) {
        let body = self.item_body(i, page);
        if body.text.is_empty() {
            return;
        }
        out.append(&body);
        if let Some(fence) = super::unclosed_fence(&body.text) {
            out.push_generated(&format!("\n{fence}"), blame);
        }
        out.push_generated("\n\n", blame);
    }

    /// An item's body as it appears on `page`: trimmed, headings demoted by two levels,
    /// `{{#techfile ref ID}}` replaced by links and escaped directives unescaped. Every
    /// other byte maps back to the item file, so links in it are reported there.
    fn item_body(&self, i: usize, page: &str) -> Mapped {
        let item = &self.graph.items[i];
        let body = item.body.trim();
        let file = item.file();
        let offset = item.body_offset as usize + (item.body.len() - item.body.trim_start().len());
        let span = |r: std::ops::Range<usize>| Span::new(file, offset + r.start..offset + r.end);
        let mut edits: Vec<(std::ops::Range<usize>, Mapped)> = heading_inserts(body, 2)
            .into_iter()
            .map(|(at, n)| (at..at, Mapped::generated("#".repeat(n), Some(span(at..at)))))
            .collect();
        for d in directive::find(body) {
            // Other directives and unknown IDs stay as written: their findings were
            // reported against the item file when the book was expanded.
            if let [(name, _), (id, _)] = d.args.as_slice()
                && d.closed
                && name == "ref"
                && self.graph.lookup(id).is_some()
            {
                let link = Mapped::generated(self.link(page, id), Some(span(d.range.clone())));
                edits.push((d.range, link));
            }
        }
        for (at, _) in body.match_indices(directive::ESCAPED) {
            edits.push((at..at + 1, Mapped::new()));
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        Mapped::splice(body, file, offset, edits)
    }

    /// The page listing every catalog entry with its mappings and the items tracing to it.
    pub(crate) fn catalog_page(&self, page: &str, with_title: bool) -> String {
        let g = self.graph;
        let c = g.catalog;
        let mut out = String::new();
        if with_title {
            out.push_str("# Regulatory catalog {#techfile-catalog}\n\n");
        }
        out.push_str(super::STYLE);
        out.push_str("\nThe built-in catalog every requirement traces up to. Entries marked *unverified* could not be checked against the primary text.\n\n");
        for kind in [
            EntryKind::Practice,
            EntryKind::Iec62443,
            EntryKind::Iec81001,
            EntryKind::Mdr,
            EntryKind::Ivdr,
        ] {
            let _ = writeln!(out, "## {}s\n", kind.label());
            out.push_str("<table class=\"techfile-table\">\n<thead><tr><th>ID</th><th>Title</th><th>Maps to</th><th>Mapped from</th><th>Traced by</th></tr></thead>\n<tbody>\n");
            for e in c.of_kind(kind) {
                let node = g.lookup(&e.id).unwrap_or(Node::Catalog(0));
                let maps: Vec<String> = e.maps_to.iter().map(|t| self.link(page, t)).collect();
                let from: Vec<String> = c
                    .mapped_from(&e.id)
                    .iter()
                    .map(|t| self.link(page, t))
                    .collect();
                let by: Vec<String> = g
                    .traced_by(node, Relation::DerivesFrom)
                    .iter()
                    .map(|&j| self.link(page, &g.items[j].id))
                    .collect();
                let mut title = html(&e.title);
                if let Some(reason) = self.not_applicable.get(&e.id) {
                    let _ = write!(title, "<br><em>Not applicable:</em> {}", html(reason));
                }
                if e.unverified {
                    title.push_str(" <em>(unverified)</em>");
                }
                if let Some(n) = &e.note {
                    let _ = write!(title, "<br><small>{}</small>", html(n));
                }
                let _ = writeln!(
                    out,
                    "<tr id=\"{}\"><td><code>{}</code></td><td>{title}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    anchor(&e.id),
                    html(&e.id),
                    html(&e.source),
                    maps.join(", "),
                    from.join(", "),
                    by.join(", ")
                );
            }
            out.push_str("</tbody>\n</table>\n\n");
        }
        out
    }
}

/// Whether an empty "traced by" list is worth showing (it is a gap the reader should see).
fn expects_inverse(kind: Kind, relation: Relation) -> bool {
    matches!(
        (kind, relation),
        (Kind::Requirement, Relation::Implements)
            | (Kind::Control, Relation::Verifies)
            | (Kind::Risk, Relation::Mitigates)
            | (Kind::Asset, Relation::RiskAssets)
            | (
                Kind::Actor | Kind::Process | Kind::DataStore,
                Relation::RiskElements
            )
            | (Kind::Interface, Relation::RiskInterfaces)
            | (Kind::DataFlow, Relation::RiskFlows)
            | (Kind::Interface, Relation::FlowInterfaces)
    )
}
