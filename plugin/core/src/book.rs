//! The book as a whole: which chapter hosts which generated content, the expansion of
//! `{{#techfile ...}}` directives, and front-matter removal. Pure: chapter texts come in
//! already read (with mdBook's includes expanded), new texts and findings go out.

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::graph::TraceGraph;
use crate::includes::{By, Removal};
use crate::links;
use crate::load::frontmatter;
use crate::model::{FileId, Kind, SourceMap, Span, anchor};
use crate::render::directive::{self, Directive};
use crate::render::site::{Host, Site};
use crate::render::{self, Mapped, tables};
use crate::sbom::SbomSet;
use crate::stamp::Stamp;
use crate::threat::diagram::Scope;
use crate::threat::layout::Layout;
use std::collections::BTreeMap;
use std::ops::Range;

/// A chapter of the book: its text as mdBook's `links` preprocessor makes it, mapped to
/// the chapter file and the files it includes.
#[derive(Debug, Clone)]
pub(crate) struct Chapter {
    /// The chapter file (in the source map).
    pub(crate) file: FileId,
    /// Path relative to the book's `src` as mdBook renders it, with forward slashes.
    pub(crate) path: String,
    /// False when mdBook may still add text to the chapter that this run does not see
    /// (another preprocessor changed it, so the plugin's own include expansion was not
    /// used): its ids are then not all known, and links into it are not checked for their
    /// `#fragment`.
    pub(crate) complete: bool,
    /// The text with included text spliced in, escapes and titles as written.
    pub(crate) source: Mapped,
    /// Ranges of `source` that are not on the page (escape backslashes, `{{#title}}`).
    pub(crate) removals: Vec<Removal>,
    /// mdBook's `links` runs after the plugin: the removals it makes are left in the
    /// Markdown handed back to mdBook.
    pub(crate) links_later: bool,
}

impl Chapter {
    /// A chapter that is exactly the text of `file` (tests, and books without includes).
    pub(crate) fn whole(map: &SourceMap, file: FileId, path: &str) -> Chapter {
        let mut source = Mapped::new();
        source.push_copied(map.text(file), file, 0);
        Chapter {
            file,
            path: path.to_string(),
            complete: true,
            source,
            removals: Vec::new(),
            links_later: false,
        }
    }

    /// The span in a user's file of `range` of the chapter's text; the start of the
    /// chapter when that text was written by mdBook (a playground's fence).
    fn span(&self, range: &Range<usize>) -> Span {
        self.source
            .span_of(range.clone())
            .unwrap_or_else(|| Span::new(self.file, 0..0))
    }
}

/// A page the tool adds to the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPage {
    /// The page title shown in the table of contents.
    pub title: String,
    /// Path of the page's Markdown relative to `src`, with forward slashes (`techfile/REQ-1.md`).
    pub path: String,
    /// The Markdown, with the item files its item bodies come from.
    pub content: Mapped,
}

/// The result of expanding a book.
#[derive(Debug, Default)]
pub struct Output {
    /// New content of each input chapter, in input order, mapped back to the chapter
    /// (and, for item bodies, the item files) so findings in it name what the user wrote.
    pub chapters: Vec<Mapped>,
    /// Pages to append, in a fixed order.
    pub generated: Vec<GeneratedPage>,
    /// Links that leave the book (not fetched), in page order.
    pub external: Vec<links::External>,
    /// The title and path of every generated page, in the order mdBook gets them, in both
    /// modes: the PDF's outline needs them when no page was rendered.
    pub generated_titles: Vec<(String, String)>,
}

/// The directives the tool understands, with their argument shapes, for help lines.
const DIRECTIVES: &[(&str, &str)] = &[
    ("matrix", "{{#techfile matrix}}"),
    ("summary", "{{#techfile summary}}"),
    ("items", "{{#techfile items KIND}}"),
    ("catalog", "{{#techfile catalog}}"),
    ("ref", "{{#techfile ref ID}}"),
    ("codes", "{{#techfile codes}}"),
    ("practices", "{{#techfile practices}}"),
    ("checklist", "{{#techfile checklist mdr|ivdr}}"),
    ("risk-register", "{{#techfile risk-register}}"),
    ("risk-matrix", "{{#techfile risk-matrix initial|residual}}"),
    ("safety-handover", "{{#techfile safety-handover}}"),
    ("risk-criteria", "{{#techfile risk-criteria}}"),
    (
        "document-control",
        "{{#techfile document-control [version|inputs]}}",
    ),
    ("reviews", "{{#techfile reviews}}"),
    ("gaps", "{{#techfile gaps}}"),
    ("cover", "{{#techfile cover}}"),
    ("sbom", "{{#techfile sbom FILE}}"),
    ("vulnerabilities", "{{#techfile vulnerabilities}}"),
    ("support", "{{#techfile support}}"),
    ("stride", "{{#techfile stride}}"),
    ("interfaces", "{{#techfile interfaces}}"),
    ("assets", "{{#techfile assets}}"),
    ("data-stores", "{{#techfile data-stores}}"),
    ("data-flows", "{{#techfile data-flows}}"),
    ("trust-boundaries", "{{#techfile trust-boundaries}}"),
    ("data-flow-diagram", "{{#techfile data-flow-diagram [ID]}}"),
];

struct Found {
    chapter: usize,
    /// Where the text after the chapter's front-matter starts in its source.
    body_offset: usize,
    /// The directives of the chapter, with ranges into its source.
    directives: Vec<Directive>,
}

/// What a page the tool adds shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Added {
    Host(Host),
    /// The SBOM at this index into the loaded ones.
    Sbom(usize),
}

/// The book once its directives are understood: which page hosts what, and the text of
/// every page, rendered on request (a check renders only the pages it must read).
pub(crate) struct Expanded<'g, 'a> {
    site: Site<'g, 'a>,
    /// `[preprocessor.techfile.bundle]`, for the cover.
    bundle: Option<&'g crate::config::BundleConfig>,
    chapters: &'g [Chapter],
    found: Vec<Found>,
    /// The pages the tool adds, after the chapters: item kinds and the catalog, then SBOMs.
    generated: Vec<(Added, String)>,
    /// The directive that places each SBOM a chapter hosts, by index into the loaded ones.
    sbom_directives: BTreeMap<usize, Span>,
    /// The items shown on the pages of each kind (canonical ones), by [`kind_index`].
    placed: [Vec<usize>; Kind::ALL.len()],
    /// Each data-flow diagram as HTML, by its page and the byte offset of its directive there.
    diagrams: BTreeMap<(String, usize), String>,
}

/// The ID of the one item `found` yields; `None` for none or several.
fn only_one<'x>(mut found: impl Iterator<Item = &'x crate::model::Item>) -> Option<&'x str> {
    match (found.next(), found.next()) {
        (Some(i), None) => Some(i.id.as_str()),
        _ => None,
    }
}

fn kind_index(kind: Kind) -> usize {
    Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0)
}

/// Understands every directive of every chapter and item body, reports the wrong ones,
/// and decides where generated content goes. Nothing is rendered yet; with `outline`,
/// pages are later rendered as outlines (see [`Site::outline`]), for checks only. `layout`
/// lays out the data-flow diagrams the book places.
#[allow(clippy::too_many_arguments)]
pub(crate) fn expand<'g, 'a>(
    graph: &'g TraceGraph<'a>,
    sboms: &'g SbomSet,
    reviews: &'g crate::review::Reviews,
    vulnerabilities: &'g crate::advisory::assess::Assessment,
    gaps: &'g crate::checks::Gaps,
    support: &'g crate::lifecycle::Support,
    chapters: &'g [Chapter],
    config: &'g Config,
    stamp: Option<&'g Stamp>,
    outline: bool,
    layout: Option<&dyn Layout>,
) -> (Expanded<'g, 'a>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let found: Vec<Found> = chapters
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let text = &c.source.text;
            let body_offset = frontmatter::strip(text).map_or(0, |body| text.len() - body.len());
            // A directive inside a removed range (a `{{#title ...}}`) never reaches the page.
            let directives = directive::find(&text[body_offset..])
                .into_iter()
                .map(|d| shifted(d, body_offset))
                .filter(|d| {
                    !c.removals
                        .iter()
                        .any(|r| r.range.start < d.range.end && d.range.start < r.range.end)
                })
                .collect();
            Found {
                chapter: n,
                body_offset,
                directives,
            }
        })
        .collect();

    let mut hosts: BTreeMap<Host, (usize, Span)> = BTreeMap::new();
    let mut sbom_hosts: BTreeMap<usize, (usize, Span)> = BTreeMap::new();
    for f in &found {
        let c = &chapters[f.chapter];
        for d in &f.directives {
            if let Some(i) = sbom_of(d, sboms) {
                let span = c.span(&d.range);
                if let Some((_, prev_span)) = sbom_hosts.get(&i) {
                    diags.push(
                        Diagnostic::new(
                            Code::DuplicateHost,
                            format!("SBOM `{}` is placed twice", sboms.sboms[i].key),
                        )
                        .at(span, "placed again here")
                        .with_label(*prev_span, "first placed here")
                        .help("each SBOM can be placed in one chapter only (its rows are link targets); remove one directive"),
                    );
                    continue;
                }
                sbom_hosts.insert(i, (f.chapter, span));
                continue;
            }
            let Some(host) = host_of(d) else { continue };
            let span = c.span(&d.range);
            if let Some((prev, prev_span)) = hosts.get(&host) {
                if *prev != f.chapter || *prev_span != span {
                    diags.push(
                        Diagnostic::new(Code::DuplicateHost, format!("{} are placed twice", host.title().to_lowercase()))
                            .at(span, "placed again here")
                            .with_label(*prev_span, "first placed here")
                            .help("each item kind and the catalog can be placed in one chapter only; remove one directive"),
                    );
                }
                continue;
            }
            hosts.insert(host, (f.chapter, span));
        }
    }

    let mut pages: BTreeMap<Host, String> = hosts
        .iter()
        .map(|(h, (n, _))| (*h, chapters[*n].path.clone()))
        .collect();
    let mut generated = Vec::new();
    // Pages for procedures and for each kind of the threat model only when the book has
    // items of the kind, so books without them look as they did.
    let has =
        |k: Kind| (0..graph.items.len()).any(|i| graph.items[i].kind == k && graph.is_canonical(i));
    let model_hosts = Kind::MODEL.into_iter().filter(|&k| has(k)).map(Host::Items);
    let (trace_hosts, catalog) = Host::ALL.split_at(Host::ALL.len() - 1);
    let hosts_in_order: Vec<Host> = trace_hosts
        .iter()
        .copied()
        .filter(|&h| h != Host::Items(Kind::Procedure) || has(Kind::Procedure))
        .chain(model_hosts)
        .chain(catalog.iter().copied())
        .collect();
    if config.generate_pages {
        for host in hosts_in_order {
            if let std::collections::btree_map::Entry::Vacant(slot) = pages.entry(host) {
                let path = format!(
                    "{}/{}.md",
                    config.pages_dir.trim_end_matches('/'),
                    host.file_stem()
                );
                slot.insert(path.clone());
                generated.push((Added::Host(host), path));
            }
        }
    }
    let mut sbom_pages: BTreeMap<usize, String> = sbom_hosts
        .iter()
        .map(|(i, (n, _))| (*i, chapters[*n].path.clone()))
        .collect();
    if config.generate_pages {
        for (i, sbom) in sboms.sboms.iter().enumerate() {
            if let std::collections::btree_map::Entry::Vacant(slot) = sbom_pages.entry(i) {
                let path = format!(
                    "{}/{}.md",
                    config.pages_dir.trim_end_matches('/'),
                    sbom.anchor
                );
                slot.insert(path.clone());
                generated.push((Added::Sbom(i), path));
            }
        }
    }
    let mut placed: [Vec<usize>; Kind::ALL.len()] = Default::default();
    for i in (0..graph.items.len()).filter(|&i| graph.is_canonical(i)) {
        placed[kind_index(graph.items[i].kind)].push(i);
    }
    let mut expanded = Expanded {
        placed,
        diagrams: BTreeMap::new(),
        bundle: config.bundle.as_ref(),
        site: Site {
            graph,
            pages,
            not_applicable: &config.not_applicable,
            coverage: config.failing_coverage(),
            risk: &config.risk,
            stamp,
            sboms,
            vulnerabilities,
            sbom_pages,
            reviews,
            gaps,
            support,
            outline,
            stride: &config.stride,
            threat: Default::default(),
        },
        chapters,
        found,
        generated,
        sbom_directives: sbom_hosts.into_iter().map(|(i, (_, s))| (i, s)).collect(),
    };
    let mut unknown_refs = 0;
    let mut requests = Vec::new();
    let no_diagrams = BTreeMap::new();
    for f in &expanded.found {
        let c = &chapters[f.chapter];
        let mut ctx = Expander {
            site: &expanded.site,
            bundle: expanded.bundle,
            page: &c.path,
            text: Text::Chapter(c),
            item_body: false,
            render: false,
            diags: &mut diags,
            unknown_refs: &mut unknown_refs,
            requests: &mut requests,
            diagrams: &no_diagrams,
        };
        ctx.expand_chapter(f, false);
    }
    expanded.diagrams = render::diagram::lay_out(
        &expanded.site,
        requests,
        layout,
        &config.diagram,
        &mut diags,
    );

    // References written in item bodies are checked here too, once per item, with spans
    // into the item file.
    for item in graph.items.iter() {
        let body = &item.body;
        let ds = directive::find(body);
        if ds.is_empty() {
            continue;
        }
        let mut ctx = Expander {
            site: &expanded.site,
            bundle: expanded.bundle,
            page: "",
            text: Text::Item {
                file: item.file(),
                offset: item.body_offset as usize,
            },
            item_body: true,
            render: false,
            diags: &mut diags,
            unknown_refs: &mut unknown_refs,
            requests: &mut Vec::new(),
            diagrams: &no_diagrams,
        };
        ctx.expand_item(&ds);
    }
    (expanded, diags)
}

impl Expanded<'_, '_> {
    /// Every page: the chapters in input order, then the generated pages.
    pub(crate) fn page_count(&self) -> usize {
        self.chapters.len() + self.generated.len()
    }

    /// The path of page `n`, relative to `src`.
    pub(crate) fn path(&self, n: usize) -> &str {
        match self.chapters.get(n) {
            Some(c) => &c.path,
            None => &self.generated[n - self.chapters.len()].1,
        }
    }

    /// The chapter page `n` is, if it is one.
    pub(crate) fn chapter(&self, n: usize) -> Option<&Chapter> {
        self.chapters.get(n)
    }

    /// The Markdown of page `n`, mapped back to what users wrote: the page as mdBook
    /// renders it.
    pub(crate) fn render(&self, n: usize) -> Mapped {
        self.render_page(n, false)
    }

    /// The Markdown of page `n` to hand back to mdBook. It differs from [`Self::render`]
    /// only when mdBook's `links` preprocessor runs after the plugin: escapes and titles
    /// are then left for it to remove.
    pub(crate) fn render_for_mdbook(&self, n: usize) -> Option<Mapped> {
        let c = self.chapters.get(n)?;
        (c.links_later && c.removals.iter().any(|r| r.by == By::Links))
            .then(|| self.render_page(n, true))
    }

    fn render_page(&self, n: usize, for_mdbook: bool) -> Mapped {
        let Some(c) = self.chapters.get(n) else {
            let (added, path) = &self.generated[n - self.chapters.len()];
            return match *added {
                Added::Host(host) => page_content(&self.site, host, path, true, None),
                Added::Sbom(i) => {
                    Mapped::generated(render::sbom::sbom_page(&self.site, i, path, true), None)
                }
            };
        };
        let f = &self.found[n];
        // Findings were reported when the book was expanded.
        let mut sink = Vec::new();
        let mut ctx = Expander {
            site: &self.site,
            bundle: self.bundle,
            page: &c.path,
            text: Text::Chapter(c),
            item_body: false,
            render: true,
            diags: &mut sink,
            unknown_refs: &mut 0,
            requests: &mut Vec::new(),
            diagrams: &self.diagrams,
        };
        ctx.expand_chapter(f, for_mdbook)
    }

    /// The output mdBook gets, from every page rendered in order.
    pub(crate) fn output(&self, pages: Vec<Mapped>) -> Output {
        let mut pages = pages.into_iter();
        let chapters = pages.by_ref().take(self.chapters.len()).collect();
        let generated_titles = self.generated_titles();
        let generated = generated_titles
            .iter()
            .cloned()
            .zip(pages)
            .map(|((title, path), content)| GeneratedPage {
                title,
                path,
                content,
            })
            .collect();
        Output {
            chapters,
            generated,
            external: Vec::new(),
            generated_titles,
        }
    }

    /// The title and path of every generated page, in order.
    pub(crate) fn generated_titles(&self) -> Vec<(String, String)> {
        self.generated
            .iter()
            .map(|(added, path)| {
                let title = match *added {
                    Added::Host(host) => host.title().to_string(),
                    Added::Sbom(i) => format!("SBOM: {}", self.site.sboms.sboms[i].key),
                };
                (title, path.clone())
            })
            .collect()
    }

    /// The text users wrote that page `n` shows, found without rendering it: the chapter's
    /// own text and the bodies of the items it places (or, for a generated page, of its
    /// items). Directives are included as written.
    pub(crate) fn user_text(&self, n: usize) -> Vec<&str> {
        let g = self.site.graph;
        let bodies = |kind: Kind| {
            self.placed[kind_index(kind)]
                .iter()
                .map(|&i| g.items[i].body.as_str())
        };
        let Some(c) = self.chapters.get(n) else {
            return match self.generated[n - self.chapters.len()].0 {
                Added::Host(Host::Items(kind)) => bodies(kind).collect(),
                Added::Host(Host::Catalog) | Added::Sbom(_) => Vec::new(),
            };
        };
        let f = &self.found[n];
        let mut out = vec![&c.source.text[f.body_offset..]];
        for d in &f.directives {
            if let Some(Host::Items(kind)) = host_of(d) {
                out.extend(bodies(kind));
            }
        }
        out
    }

    /// The ID of the item whose file `path` (a link as written, on a page in folder `dir`
    /// of `src`) names. The link is resolved against the page and compared with every
    /// item's path (both relative to the folder that holds the book, whose `src` is
    /// `src_dir`), whatever the item folders are called and however deep. A link that
    /// resolves to no item file but whose path, without the `./` and `../` parts it starts
    /// with, ends exactly one item's path (by whole folder and file names) names that item
    /// too: the author counted the `../` wrong, and still meant the item.
    ///
    /// Failing both, a link whose file name is an item's ID plus `.md`, or the file name of
    /// exactly one item file, names that item with a wrong path (`path_matches` false).
    pub(crate) fn item_file(
        &self,
        src_dir: Option<&str>,
        dir: &str,
        path: &str,
    ) -> Option<links::ItemFile<'_>> {
        // A link written with `.html`, as to the page an item file would make, means the
        // item file as much as one written with `.md`.
        let with_md;
        let path = match path.strip_suffix(".html") {
            Some(stem) => {
                with_md = format!("{stem}.md");
                with_md.as_str()
            }
            None => path,
        };
        if !path.ends_with(".md") || path.starts_with('/') {
            return None;
        }
        let g = self.site.graph;
        if let Some(src) = src_dir {
            let resolved = crate::summary::page_path(&format!("{src}/{dir}/{path}"));
            let exact = only_one(
                g.items
                    .iter()
                    .filter(|i| crate::summary::page_path(&i.path) == resolved),
            );
            if let Some(id) = exact {
                return Some(links::ItemFile {
                    id,
                    by: links::NamedBy::Path,
                });
            }
        }
        let written = crate::summary::page_path(path);
        let tail: Vec<&str> = written
            .split('/')
            .skip_while(|p| matches!(*p, ".." | ""))
            .collect();
        let by_tail = only_one(g.items.iter().filter(|i| {
            let parts: Vec<&str> = i.path.split('/').collect();
            parts.ends_with(&tail)
        }));
        if let Some(id) = by_tail {
            return Some(links::ItemFile {
                id,
                by: links::NamedBy::Path,
            });
        }
        let name = written.rsplit('/').next().unwrap_or(&written);
        let stem = name.strip_suffix(".md").unwrap_or(name);
        match g.lookup(stem) {
            Some(crate::graph::Node::Item(i)) => Some(links::ItemFile {
                id: g.items[i].id.as_str(),
                by: links::NamedBy::Id,
            }),
            _ => {
                let mut same = g
                    .items
                    .iter()
                    .filter(|i| i.path.rsplit('/').next() == Some(name));
                match (same.next(), same.next()) {
                    (Some(i), None) => Some(links::ItemFile {
                        id: i.id.as_str(),
                        by: links::NamedBy::FileName(i.path.rsplit('/').next().unwrap_or("")),
                    }),
                    _ => None,
                }
            }
        }
    }

    /// The anchors of the items, catalog entries and SBOMs placed on page `n`: for an
    /// SBOM, its own and those of the components items link to from their pages.
    pub(crate) fn anchors(&self, n: usize) -> Vec<links::Anchor> {
        let path = self.path(n);
        let g = self.site.graph;
        let mut out = Vec::new();
        for (host, page) in &self.site.pages {
            if page != path {
                continue;
            }
            match *host {
                Host::Items(kind) => {
                    out.extend(
                        self.placed[kind_index(kind)]
                            .iter()
                            .map(|&i| links::Anchor {
                                anchor: anchor(&g.items[i].id),
                                id: g.items[i].id.clone(),
                                span: Some(g.items[i].id_span),
                                heading: true,
                            }),
                    )
                }
                Host::Catalog => out.extend(g.catalog.entries().iter().map(|e| links::Anchor {
                    anchor: anchor(&e.id),
                    id: e.id.clone(),
                    span: None,
                    heading: true,
                })),
            }
        }
        let sboms = self.site.sboms;
        for (&i, page) in &self.site.sbom_pages {
            if page != path {
                continue;
            }
            let sbom = &sboms.sboms[i];
            let span = self.sbom_directives.get(&i).copied();
            out.push(links::Anchor {
                anchor: sbom.anchor.clone(),
                id: format!("SBOM {}", sbom.key),
                span,
                heading: false,
            });
            let linked = sboms.affected_by.keys().filter(|c| c.sbom == i);
            out.extend(linked.map(|c| links::Anchor {
                anchor: sbom.anchor_of(c.target).to_owned(),
                id: format!("{} in SBOM {}", sbom.label_of(c.target), sbom.key),
                span,
                heading: false,
            }));
        }
        out
    }
}

fn shift(r: &std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    r.start + by..r.end + by
}

/// A directive found in a slice that starts `by` bytes into the text.
fn shifted(mut d: Directive, by: usize) -> Directive {
    d.range = shift(&d.range, by);
    for (_, r) in &mut d.args {
        *r = shift(r, by);
    }
    d
}

/// The SBOM a well-formed `sbom FILE` directive places, if FILE names a loaded SBOM.
fn sbom_of(d: &Directive, sboms: &SbomSet) -> Option<usize> {
    match d.args.as_slice() {
        [(name, _), (file, _)] if name == "sbom" && d.closed => sboms.find(file),
        _ => None,
    }
}

fn host_of(d: &Directive) -> Option<Host> {
    let name = d.args.first()?.0.as_str();
    match (name, d.args.get(1).map(|a| a.0.as_str()), d.args.len()) {
        ("items", Some(kind), 2) => Kind::parse(kind).map(Host::Items),
        ("catalog", None, 1) => Some(Host::Catalog),
        _ => None,
    }
}

/// The content of a page that hosts `host`. Generated text is blamed on `blame` (the
/// directive that placed it); item bodies keep their item-file positions.
fn page_content(
    site: &Site<'_, '_>,
    host: Host,
    page: &str,
    with_title: bool,
    blame: Option<Span>,
) -> Mapped {
    match host {
        Host::Items(kind) => site.item_page(kind, page, with_title, blame),
        Host::Catalog => Mapped::generated(site.catalog_page(page, with_title), blame),
    }
}

/// The text directives are expanded in, which their ranges point into.
enum Text<'s> {
    /// A chapter's source.
    Chapter(&'s Chapter),
    /// An item body: the text of `file` from byte `offset` on.
    Item { file: FileId, offset: usize },
}

struct Expander<'s, 'g, 'a> {
    site: &'s Site<'g, 'a>,
    bundle: Option<&'g crate::config::BundleConfig>,
    page: &'s str,
    text: Text<'s>,
    item_body: bool,
    render: bool,
    diags: &'s mut Vec<Diagnostic>,
    /// Unknown references seen so far; typo suggestions stop after a hundred.
    unknown_refs: &'s mut usize,
    /// Data-flow diagrams found while expanding, laid out together afterwards.
    requests: &'s mut Vec<render::diagram::Request>,
    /// The laid-out diagrams, when rendering.
    diagrams: &'s BTreeMap<(String, usize), String>,
}

impl Expander<'_, '_, '_> {
    fn span(&self, r: &Range<usize>) -> Span {
        match self.text {
            Text::Chapter(c) => c.span(r),
            Text::Item { file, offset } => Span::new(file, shift(r, offset)),
        }
    }

    /// A finding at `r`, with the include directives that brought that text into the
    /// chapter as secondary labels.
    fn finding(&self, d: Diagnostic, r: &Range<usize>, label: &str) -> Diagnostic {
        let mut d = d.at(self.span(r), label);
        if let Text::Chapter(c) = self.text
            && let Some(via) = c.source.included_at(r.start).first()
        {
            d = d.with_label(*via, "included here");
        }
        d
    }

    /// The chapter with each directive replaced by its content (kept as written when it is
    /// wrong), its front-matter dropped and the removals made (those mdBook's `links`
    /// still makes are left when `for_mdbook`); empty unless rendering.
    fn expand_chapter(&mut self, f: &Found, for_mdbook: bool) -> Mapped {
        let Text::Chapter(c) = self.text else {
            return Mapped::new();
        };
        let mut edits: Vec<(Range<usize>, Mapped)> = Vec::new();
        for d in &f.directives {
            if let Some(replacement) = self.one(d) {
                edits.push((d.range.clone(), replacement));
            }
        }
        if !self.render {
            return Mapped::new();
        }
        edits.push((0..f.body_offset, Mapped::new()));
        // Directives are never escaped and never inside a removed title, so the two kinds
        // of edit cannot overlap (`Mapped::edit` would skip the second).
        for r in &c.removals {
            if r.range.start >= f.body_offset && !(for_mdbook && c.links_later && r.by == By::Links)
            {
                edits.push((r.range.clone(), Mapped::new()));
            }
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        c.source.edit(edits)
    }

    /// Checks the directives of an item body (their findings; bodies are rendered with
    /// their items).
    fn expand_item(&mut self, directives: &[Directive]) {
        for d in directives {
            self.one(d);
        }
    }

    fn bad(&mut self, d: &Directive, message: String, help: String) -> Option<Mapped> {
        let finding = self.finding(
            Diagnostic::new(Code::UnknownDirective, message).help(help),
            &d.range,
            "this directive",
        );
        self.diags.push(finding);
        None
    }

    /// The finding for a directive that shows the version when the book has none.
    fn needs_bundle(&mut self, d: &Directive, name: &str) -> Option<Mapped> {
        self.bad(
            d,
            format!("`{name}` needs the version of the technical file"),
            "add `[preprocessor.techfile.bundle]` with `version = \"1.0\"` (or `version-from = \"git\"`) to book.toml".into(),
        )
    }

    /// The content of one directive, blamed on the directive; `None` (after a finding)
    /// when it is wrong.
    fn one(&mut self, d: &Directive) -> Option<Mapped> {
        if !d.closed {
            return self.bad(
                d,
                "directive is never closed".into(),
                "end it with `}}`, as in `{{#techfile summary}}`".into(),
            );
        }
        let Some((name, _)) = d.args.first() else {
            return self.bad(
                d,
                "directive names nothing".into(),
                format!("use one of {}", usage_list()),
            );
        };
        let args: Vec<&str> = d.args[1..].iter().map(|a| a.0.as_str()).collect();
        if self.item_body && name != "ref" {
            return self.bad(
                d,
                format!("`{name}` cannot be used inside an item"),
                "item bodies may only use `{{#techfile ref ID}}`; place tables in a chapter".into(),
            );
        }
        match (name.as_str(), args.as_slice()) {
            ("matrix", []) => Some(self.generated(d, tables::matrix)),
            ("practices", []) => Some(self.generated(d, tables::practices)),
            ("checklist", [regulation]) => {
                let kind = match *regulation {
                    "mdr" => crate::catalog::EntryKind::Mdr,
                    "ivdr" => crate::catalog::EntryKind::Ivdr,
                    other => {
                        return self.bad(
                            d,
                            format!("unknown regulation `{other}`"),
                            "write `{{#techfile checklist mdr}}` or `{{#techfile checklist ivdr}}`"
                                .into(),
                        );
                    }
                };
                Some(self.generated(d, |site, page| tables::checklist(site, page, kind)))
            }
            ("codes", []) => Some(self.generated(d, |_, _| tables::codes())),
            ("document-control", [] | ["version"] | ["inputs"]) => {
                let part = match args.first() {
                    Some(&"version") => render::control::Part::Version,
                    Some(_) => render::control::Part::Inputs,
                    None => render::control::Part::All,
                };
                match self.site.stamp {
                    Some(stamp) => Some(self.generated(d, |site, _| {
                        render::control::render(stamp, part, &site.reviews.records)
                    })),
                    None => self.needs_bundle(d, "document-control"),
                }
            }
            ("cover", []) => match (self.site.stamp, self.bundle) {
                (Some(stamp), Some(bundle)) => {
                    Some(self.generated(d, |_, _| render::cover::render(bundle, stamp)))
                }
                _ => self.needs_bundle(d, "cover"),
            },
            ("summary", []) => Some(self.generated(d, |site, _| tables::summary(site))),
            ("reviews", []) => Some(self.generated(d, render::reviews::reviews)),
            ("gaps", []) => Some(self.generated(d, render::gaps::gaps)),
            ("support", []) => Some(self.generated(d, render::support::support)),
            ("catalog", []) => Some(self.hosted(d, Host::Catalog)),
            ("items", [kind]) => match Kind::parse(kind) {
                Some(k) => Some(self.hosted(d, Host::Items(k))),
                None => self.bad(
                    d,
                    format!("unknown item kind `{kind}`"),
                    match crate::suggest::closest(kind, Kind::ALL.iter().map(|k| k.as_str())) {
                        Some(k) => format!("did you mean `{k}`?"),
                        None => format!(
                            "use one of {}",
                            Kind::ALL
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                ),
            },
            ("stride", []) => Some(self.generated(d, render::threat::stride)),
            ("interfaces", []) => Some(self.generated(d, render::threat::interfaces)),
            ("assets", []) => Some(self.generated(d, render::threat::assets)),
            ("data-stores", []) => Some(self.generated(d, render::threat::data_stores)),
            ("data-flows", []) => Some(self.generated(d, render::threat::data_flows)),
            ("trust-boundaries", []) => {
                Some(self.generated(d, render::threat::trust_boundaries))
            }
            ("data-flow-diagram", []) => self.diagram(d, None),
            ("data-flow-diagram", [id]) => self.diagram(d, Some(id)),
            ("risk-register", []) => Some(self.generated(d, render::risk::register)),
            ("risk-matrix", [stage]) => match render::risk::Stage::parse(stage) {
                Some(s) => Some(self.generated(d, |site, page| render::risk::matrix(site, page, s))),
                None => self.bad(
                    d,
                    format!("unknown risk matrix `{stage}`"),
                    "write `{{#techfile risk-matrix initial}}` (before controls) or `{{#techfile risk-matrix residual}}` (after controls)".into(),
                ),
            },
            ("safety-handover", []) => Some(self.generated(d, render::risk::handover)),
            ("risk-criteria", []) => {
                Some(self.generated(d, |site, _| render::risk::criteria(site.risk)))
            }
            ("ref", [id]) => self.reference(d, id),
            ("sbom", [file]) => self.sbom(d, file),
            ("vulnerabilities", []) => Some(self.generated(d, render::vulnerabilities::render)),
            (known, _) if DIRECTIVES.iter().any(|(n, _)| *n == known) => {
                let usage = DIRECTIVES
                    .iter()
                    .find(|(n, _)| *n == known)
                    .map(|(_, u)| *u)
                    .unwrap_or_default();
                self.bad(
                    d,
                    format!("wrong arguments for `{known}`"),
                    format!("write it as `{usage}`"),
                )
            }
            (other, _) => {
                let help = match crate::suggest::closest(other, DIRECTIVES.iter().map(|(n, _)| *n)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of {}", usage_list()),
                };
                self.bad(d, format!("unknown directive `{other}`"), help)
            }
        }
    }

    /// Generated text for directive `d`, built only when rendering.
    fn generated(
        &self,
        d: &Directive,
        build: impl FnOnce(&Site<'_, '_>, &str) -> String,
    ) -> Mapped {
        if self.render {
            Mapped::generated(build(self.site, self.page), Some(self.span(&d.range)))
        } else {
            Mapped::new()
        }
    }

    /// The items of one kind, or the catalog, placed by directive `d`.
    fn hosted(&self, d: &Directive, host: Host) -> Mapped {
        if self.render {
            page_content(self.site, host, self.page, false, Some(self.span(&d.range)))
        } else {
            Mapped::new()
        }
    }

    /// The SBOM placed by directive `d`; `None` (after a finding) when FILE names none.
    fn sbom(&mut self, d: &Directive, file: &str) -> Option<Mapped> {
        let sboms = self.site.sboms;
        if let Some(i) = sboms.find(file) {
            return Some(self.generated(d, |site, page| {
                render::sbom::sbom_page(site, i, page, false)
            }));
        }
        // The SBOM exists but could not be read: say so, and suggest no other file.
        if let Some(failed) = sboms.failed_named(file) {
            let finding = self.finding(
                Diagnostic::new(
                    Code::UnknownSbom,
                    format!("SBOM `{file}` could not be read, so it cannot be placed"),
                )
                .with_label(
                    Span::new(failed.file, 0..0),
                    "this SBOM could not be read",
                )
                .help(format!(
                    "see the error reported in `{}` and fix it first: the SBOM is placed here once it loads",
                    failed.name
                )),
                &d.args[1].1,
                "this SBOM did not load",
            );
            self.diags.push(finding);
            return None;
        }
        // Every SBOM file found is a candidate, loaded or not: when the closest is one that
        // failed, the reference most likely means it, and suggesting another file would send
        // the reader away from the root cause.
        let candidates = sboms
            .sboms
            .iter()
            .map(|s| s.key.as_str())
            .chain(sboms.failed.iter().map(|f| f.key.as_str()));
        let closest = crate::suggest::closest(file, candidates);
        if let Some(failed) = closest.and_then(|s| sboms.failed.iter().find(|f| f.key == s)) {
            let finding = self.finding(
                Diagnostic::new(
                    Code::UnknownSbom,
                    format!(
                        "no loaded SBOM is named `{file}`; the closest, `{}`, could not be read",
                        failed.key
                    ),
                )
                .with_label(
                    Span::new(failed.file, 0..0),
                    "this SBOM could not be read",
                )
                .help(format!(
                    "`{}` could not be read: see the error reported in `{}` and fix it first; if it is the SBOM meant here, write `{}` in the directive",
                    failed.key, failed.name, failed.key
                )),
                &d.args[1].1,
                "not a loaded SBOM",
            );
            self.diags.push(finding);
            return None;
        }
        let known: Vec<&str> = sboms.sboms.iter().map(|s| s.key.as_str()).collect();
        let help = if known.is_empty() {
            "no SBOM is loaded: put CycloneDX JSON files in the folders of `sboms` in [preprocessor.techfile] (default `../sboms`), or fix the ones reported above".to_string()
        } else {
            match closest {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "loaded SBOMs: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        };
        let finding = self.finding(
            Diagnostic::new(
                Code::UnknownSbom,
                format!("no loaded SBOM is named `{file}`"),
            )
            .help(help),
            &d.args[1].1,
            "not a loaded SBOM",
        );
        self.diags.push(finding);
        None
    }

    /// A data-flow diagram: of the whole model, or of the trust boundary or element `id`.
    /// While expanding, the diagram is queued for layout; when rendering, its HTML is taken
    /// from the laid-out ones.
    fn diagram(&mut self, d: &Directive, id: Option<&str>) -> Option<Mapped> {
        // The page and the directive's place in its text: unique even when one included
        // file places the same diagram on two pages (whose links differ).
        let key = (self.page.to_string(), d.range.start);
        if self.render {
            let html = self.diagrams.get(&key).cloned().unwrap_or_default();
            return Some(self.generated(d, |_, _| html));
        }
        let scope = match id {
            None => Scope::Whole,
            Some(id) => {
                let Some(item) = self.site.graph.item(id) else {
                    self.unknown_id(&d.args[1].1, id);
                    return None;
                };
                let i = match self.site.graph.lookup(id) {
                    Some(crate::graph::Node::Item(i)) => i,
                    _ => return None,
                };
                match item.kind {
                    Kind::TrustBoundary => Scope::Boundary(i),
                    k if k.is_node() => Scope::Element(i),
                    k => {
                        return self.bad(
                            d,
                            format!("a data-flow diagram cannot be drawn around {} (`{id}`)", k.with_article()),
                            "write `{{#techfile data-flow-diagram}}` for the whole model, or name a trust boundary, an actor, a process or a data store".into(),
                        );
                    }
                }
            }
        };
        self.requests.push(render::diagram::Request {
            key,
            span: self.span(&d.range),
            page: self.page.to_string(),
            scope,
        });
        Some(Mapped::new())
    }

    fn reference(&mut self, d: &Directive, id: &str) -> Option<Mapped> {
        if self.site.graph.lookup(id).is_none() {
            self.unknown_id(&d.args[1].1, id);
            return None;
        }
        Some(self.generated(d, |site, page| site.link(page, id)))
    }

    /// Reports a directive argument that names no item or catalog entry.
    /// `unknown-reference` for an ID no item or catalog entry has: when a file that could
    /// not be read declares it, the finding points there and suggests no other ID.
    fn unknown_id(&mut self, range: &Range<usize>, id: &str) {
        if let Some(broken) = self.site.graph.broken_for(id) {
            let finding = self.finding(
                Diagnostic::new(
                    Code::UnknownReference,
                    format!(
                        "reference to `{id}`, defined in `{}`, which could not be read",
                        broken.name
                    ),
                ),
                range,
                "the item with this ID did not load",
            );
            self.diags
                .push(crate::checks::trace::on_broken(finding, id, broken));
            return;
        }
        *self.unknown_refs += 1;
        let suggestion = if *self.unknown_refs <= 100 {
            crate::checks::trace::suggest(self.site.graph, id)
        } else {
            None
        };
        if let Some(crate::checks::trace::Closest::Broken(closest, broken)) = suggestion {
            let finding = self.finding(
                Diagnostic::new(
                    Code::UnknownReference,
                    format!("reference to unknown ID `{id}`; the closest, `{closest}`, could not be read"),
                ),
                range,
                "no loaded item or catalog entry has this ID",
            );
            self.diags.push(crate::checks::trace::on_misspelt_broken(
                finding, closest, broken,
            ));
            return;
        }
        let help = match suggestion {
            Some(s) => format!("did you mean `{}`?", s.id()),
            None => "reference an existing item or catalog ID, or create the item".into(),
        };
        let finding = self.finding(
            Diagnostic::new(
                Code::UnknownReference,
                format!("reference to unknown ID `{id}`"),
            )
            .help(help),
            range,
            "no item or catalog entry has this ID",
        );
        self.diags.push(finding);
    }
}

fn usage_list() -> String {
    DIRECTIVES
        .iter()
        .map(|(_, u)| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Appends the stamp to every chapter and generated page, so any page a reader prints or
/// saves says which version it belongs to.
pub(crate) fn stamp_pages(output: &mut Output, stamp: &Stamp) {
    let block = render::control::stamp_html(stamp);
    for c in &mut output.chapters {
        c.push_generated(&block, None);
    }
    for p in &mut output.generated {
        p.content.push_generated(&block, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::links::{Markdown, scan};
    use crate::load::{Input, load_items};

    fn input(name: &str, text: &str) -> Input {
        Input {
            name: name.into(),
            path: name.into(),
            content: Ok(text.as_bytes().to_vec()),
        }
    }

    /// The ids of every page of a book with these requirement bodies (REQ-0, REQ-1, ...),
    /// rendered in full or as outlines.
    fn page_ids(bodies: &[&str], outline: bool) -> Vec<(String, Vec<String>)> {
        let mut map = SourceMap::new();
        let mut inputs: Vec<Input> = bodies
            .iter()
            .enumerate()
            .map(|(n, body)| {
                input(
                    &format!("REQ-{n}.md"),
                    &format!("+++\nid = \"REQ-{n}\"\nkind = \"requirement\"\ntitle = \"R {n}\"\nderives-from = [\"MDCG-SM\"]\n+++\n{body}\n"),
                )
            })
            .collect();
        inputs.push(input(
            "CTL-1.md",
            "+++\nid = \"CTL-1\"\nkind = \"control\"\ntitle = \"C\"\nimplements = [\"REQ-0\"]\n+++\n```\nopen",
        ));
        inputs.push(input(
            "CTL-2.md",
            "+++\nid = \"CTL-2\"\nkind = \"control\"\ntitle = \"C\"\nimplements = [\"REQ-1\"]\n+++\n# Body",
        ));
        let (items, diags) = load_items(&mut map, inputs);
        assert!(diags.is_empty(), "{diags:?}");
        let chapter = map.add(
            "src/reqs.md",
            "# Requirements {{#techfile ref REQ-1}}\n\n{{#techfile summary}}\n\n{{#techfile codes}}\n\n{{#techfile items requirement}}\n\n## After\n\n{{#techfile matrix}}\n\n## After\n",
        );
        let chapters = vec![Chapter::whole(&map, chapter, "reqs.md")];
        let index = crate::graph::GraphIndex::build(Catalog::builtin(), &items);
        let graph = index.view(Catalog::builtin(), &items);
        let sboms = SbomSet::default();
        let config = Config::default();
        let reviews = crate::review::Reviews::default();
        let vulns = crate::advisory::assess::Assessment::default();
        let gaps = crate::checks::Gaps::default();
        let support = crate::lifecycle::Support::default();
        let (expanded, _) = expand(
            &graph, &sboms, &reviews, &vulns, &gaps, &support, &chapters, &config, None, outline,
            None,
        );
        (0..expanded.page_count())
            .map(|n| {
                let s = scan::scan(&expanded.render(n).text, Markdown::default());
                let mut ids = s.ids;
                ids.extend(s.names);
                (expanded.path(n).to_string(), ids)
            })
            .collect()
    }

    /// A check reads outlines; they must have exactly the ids of the full pages, even when
    /// an item body leaves a block open that swallows what follows it.
    #[test]
    fn outlines_have_the_ids_of_full_pages() {
        let ordinary = "## A heading {#own}\n\nText with {{#techfile ref CTL-1}} and a note[^n].\n\n[^n]: Note.";
        let hazards = [
            (
                "# Heading with {{#techfile ref REQ-1}} in it\n\n<span id=\"raw\">x</span>",
                true,
            ),
            // Closed where the body ends, so the next item stays visible.
            ("```text\nan unclosed fence is closed for it", true),
            ("Starts an unfinished declaration:\n\n<!DOCTYPE html", true),
            ("<pre>\nan unclosed pre block", false),
            ("<!-- an unclosed comment", false),
            ("<?php an unclosed instruction", false),
            ("<![CDATA[ unclosed", false),
            (
                "Term\n: Definition\n\n<div id=\"d\">\n\n## Inside a div\n\n</div>",
                true,
            ),
            ("<table>\n<tr><td>no blank line after", true),
        ];
        for (hazard, next_visible) in hazards {
            let bodies = [hazard, ordinary];
            let full = page_ids(&bodies, false);
            assert_eq!(full.len(), 5, "{full:?}");
            let on_chapter = &full[0].1;
            assert!(
                on_chapter.contains(&"code-broken-link".to_string()),
                "{hazard}"
            );
            assert!(on_chapter.contains(&"req-0".to_string()), "{hazard}");
            assert_eq!(
                on_chapter.contains(&"req-1".to_string()),
                next_visible,
                "{hazard}: {on_chapter:?}"
            );
            assert_eq!(page_ids(&bodies, true), full, "{hazard}");
        }
    }

    #[test]
    fn every_page_is_stamped() {
        let stamp = Stamp {
            version: "1.0".into(),
            commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
            modified: false,
            timestamp: Some(jiff::Timestamp::from_second(1_795_000_000).unwrap()),
            date_source: crate::stamp::DateSource::SourceDateEpoch,
            inputs: Vec::new(),
            sbom_folders: Vec::new(),
            revisions: Vec::new(),
        };
        let page = |text: &str| Mapped::generated(text, None);
        let mut out = Output {
            chapters: vec![page("# A\n"), page("# B\n")],
            generated: vec![GeneratedPage {
                title: "T".into(),
                path: "t.md".into(),
                content: page("# T\n"),
            }],
            external: Vec::new(),
            generated_titles: vec![("T".into(), "t.md".into())],
        };
        stamp_pages(&mut out, &stamp);
        for text in out
            .chapters
            .iter()
            .chain(out.generated.iter().map(|p| &p.content))
            .map(|m| &m.text)
        {
            assert!(
                text.contains(
                    "<div class=\"techfile-stamp\">Version 1.0 \u{b7} commit 0123456789ab"
                ),
                "{text}"
            );
        }
    }
}
