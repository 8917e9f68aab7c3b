//! The book as a whole: which chapter hosts which generated content, the expansion of
//! `{{#techfile ...}}` directives, and front-matter removal. Pure: chapter texts come in
//! through the source map, new texts and findings go out.

use crate::config::Config;
use crate::diag::{Code, Diagnostic};
use crate::graph::TraceGraph;
use crate::load::frontmatter;
use crate::model::{FileId, Kind, SourceMap, Span};
use crate::render::directive::{self, Directive};
use crate::render::pages::{Host, Site};
use crate::render::{self, tables};
use crate::sbom::SbomSet;
use std::collections::BTreeMap;

/// A chapter of the book, its text already in the source map.
#[derive(Debug, Clone)]
pub struct Chapter {
    pub file: FileId,
    /// Path relative to the book's `src`, with forward slashes.
    pub path: String,
}

/// A page the tool adds to the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPage {
    pub title: String,
    pub path: String,
    pub content: String,
}

/// The result of expanding a book.
#[derive(Debug, Default)]
pub struct Output {
    /// New content of each input chapter, in input order.
    pub chapters: Vec<String>,
    /// Pages to append, in a fixed order.
    pub generated: Vec<GeneratedPage>,
}

/// The directives the tool understands, with their argument shapes, for help lines.
const DIRECTIVES: &[(&str, &str)] = &[
    ("matrix", "{{#techfile matrix}}"),
    ("summary", "{{#techfile summary}}"),
    ("items", "{{#techfile items requirement|risk|control|test}}"),
    ("catalog", "{{#techfile catalog}}"),
    ("ref", "{{#techfile ref ID}}"),
    ("codes", "{{#techfile codes}}"),
    ("practices", "{{#techfile practices}}"),
    ("checklist", "{{#techfile checklist mdr|ivdr}}"),
    ("risk-register", "{{#techfile risk-register}}"),
    ("risk-matrix", "{{#techfile risk-matrix initial|residual}}"),
    ("safety-handover", "{{#techfile safety-handover}}"),
    ("risk-criteria", "{{#techfile risk-criteria}}"),
    ("document-control", "{{#techfile document-control}}"),
    ("sbom", "{{#techfile sbom FILE}}"),
];

struct Found {
    chapter: usize,
    body_offset: usize,
    directives: Vec<Directive>,
}

/// Expands every chapter. With `render = false` only the findings are computed (what
/// `mdbook-techfile check` needs), which skips building tables and pages.
pub fn expand(
    graph: &TraceGraph<'_>,
    sboms: &SbomSet,
    map: &SourceMap,
    chapters: &[Chapter],
    config: &Config,
    stamp: Option<&crate::bundle::Stamp>,
    render: bool,
) -> (Output, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let found: Vec<Found> = chapters
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let text = map.text(c.file);
            let body_offset = frontmatter::strip(text).map_or(0, |body| text.len() - body.len());
            Found {
                chapter: n,
                body_offset,
                directives: directive::find(&text[body_offset..]),
            }
        })
        .collect();

    let mut hosts: BTreeMap<Host, (usize, Span)> = BTreeMap::new();
    let mut sbom_hosts: BTreeMap<usize, (usize, Span)> = BTreeMap::new();
    for f in &found {
        let c = &chapters[f.chapter];
        for d in &f.directives {
            if let Some(i) = sbom_of(d, sboms) {
                let span = Span::new(c.file, shift(&d.range, f.body_offset));
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
            let span = Span::new(c.file, shift(&d.range, f.body_offset));
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
    let mut generated_hosts = Vec::new();
    if config.generate_pages {
        for host in Host::ALL {
            if let std::collections::btree_map::Entry::Vacant(slot) = pages.entry(host) {
                let path = format!(
                    "{}/{}.md",
                    config.pages_dir.trim_end_matches('/'),
                    host.file_stem()
                );
                slot.insert(path.clone());
                generated_hosts.push((host, path));
            }
        }
    }
    let mut sbom_pages: BTreeMap<usize, String> = sbom_hosts
        .iter()
        .map(|(i, (n, _))| (*i, chapters[*n].path.clone()))
        .collect();
    let mut generated_sboms = Vec::new();
    if config.generate_pages {
        for (i, sbom) in sboms.sboms.iter().enumerate() {
            if let std::collections::btree_map::Entry::Vacant(slot) = sbom_pages.entry(i) {
                let path = format!(
                    "{}/{}.md",
                    config.pages_dir.trim_end_matches('/'),
                    sbom.anchor
                );
                slot.insert(path.clone());
                generated_sboms.push((i, path));
            }
        }
    }
    let site = Site {
        graph,
        pages,
        not_applicable: &config.not_applicable,
        risk: &config.risk,
        stamp,
        sboms,
        sbom_pages,
    };
    let mut unknown_refs = 0;

    let mut out = Output::default();
    for f in &found {
        let c = &chapters[f.chapter];
        let text = &map.text(c.file)[f.body_offset..];
        let mut ctx = Expander {
            site: &site,
            page: &c.path,
            file: c.file,
            offset: f.body_offset,
            item_body: false,
            render,
            diags: &mut diags,
            unknown_refs: &mut unknown_refs,
        };
        let content = ctx.expand(text, &f.directives);
        if render {
            out.chapters.push(content);
        }
    }

    // References written in item bodies are checked here too, once per item, with spans
    // into the item file.
    for item in graph.items.iter() {
        let body = &item.body;
        let ds = directive::find(body);
        if ds.is_empty() {
            continue;
        }
        let mut ctx = Expander {
            site: &site,
            page: "",
            file: item.file(),
            offset: item.body_offset as usize,
            item_body: true,
            render: false,
            diags: &mut diags,
            unknown_refs: &mut unknown_refs,
        };
        ctx.expand(body, &ds);
    }

    if render {
        for (host, path) in generated_hosts {
            let content = page_content(&site, host, &path, true);
            out.generated.push(GeneratedPage {
                title: host.title().to_string(),
                path,
                content,
            });
        }
        for (i, path) in generated_sboms {
            let content = crate::render::sbom::sbom_page(&site, i, &path, true);
            out.generated.push(GeneratedPage {
                title: format!("SBOM: {}", sboms.sboms[i].key),
                path,
                content,
            });
        }
    }
    (out, diags)
}

fn shift(r: &std::ops::Range<usize>, by: usize) -> std::ops::Range<usize> {
    r.start + by..r.end + by
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

/// The content of a page that hosts `host`, with item bodies' references expanded.
fn page_content(site: &Site<'_, '_>, host: Host, page: &str, with_title: bool) -> String {
    let raw = match host {
        Host::Items(kind) => site.item_page(kind, page, with_title),
        Host::Catalog => site.catalog_page(page, with_title),
    };
    // Item bodies may hold `ref` directives; their findings were reported against the
    // item files, so here they are only replaced.
    let ds = directive::find(&raw);
    if ds.is_empty() {
        return raw;
    }
    let mut sink = Vec::new();
    let mut ctx = Expander {
        site,
        page,
        file: FileId(0),
        offset: 0,
        item_body: true,
        render: true,
        diags: &mut sink,
        unknown_refs: &mut 0,
    };
    ctx.expand(&raw, &ds)
}

struct Expander<'s, 'g, 'a> {
    site: &'s Site<'g, 'a>,
    page: &'s str,
    file: FileId,
    offset: usize,
    item_body: bool,
    render: bool,
    diags: &'s mut Vec<Diagnostic>,
    /// Unknown references seen so far; typo suggestions stop after a hundred.
    unknown_refs: &'s mut usize,
}

impl Expander<'_, '_, '_> {
    fn span(&self, r: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, shift(r, self.offset))
    }

    fn expand(&mut self, text: &str, directives: &[Directive]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for d in directives {
            if self.render {
                out.push_str(&directive::unescape(&text[last..d.range.start]));
            }
            last = d.range.end;
            let replacement = self.one(d);
            if self.render {
                out.push_str(&replacement.unwrap_or_else(|| text[d.range.clone()].to_string()));
            }
        }
        if self.render {
            out.push_str(&directive::unescape(&text[last..]));
        }
        out
    }

    fn bad(&mut self, d: &Directive, message: String, help: String) -> Option<String> {
        self.diags.push(
            Diagnostic::new(Code::UnknownDirective, message)
                .at(self.span(&d.range), "this directive")
                .help(help),
        );
        None
    }

    fn one(&mut self, d: &Directive) -> Option<String> {
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
            ("matrix", []) => Some(if self.render {
                tables::matrix(self.site, self.page)
            } else {
                String::new()
            }),
            ("practices", []) => Some(if self.render {
                tables::practices(self.site, self.page)
            } else {
                String::new()
            }),
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
                Some(if self.render {
                    tables::checklist(self.site, self.page, kind)
                } else {
                    String::new()
                })
            }
            ("codes", []) => Some(if self.render {
                tables::codes()
            } else {
                String::new()
            }),
            ("document-control", []) => match self.site.stamp {
                Some(stamp) => Some(if self.render {
                    crate::bundle::control::render(stamp)
                } else {
                    String::new()
                }),
                None => self.bad(
                    d,
                    "`document-control` needs the version of the technical file".into(),
                    "add `[preprocessor.techfile.bundle]` with `version = \"1.0\"` (or `version-from = \"git\"`) to book.toml".into(),
                ),
            },
            ("summary", []) => Some(if self.render {
                tables::summary(self.site)
            } else {
                String::new()
            }),
            ("catalog", []) => Some(if self.render {
                page_content(self.site, Host::Catalog, self.page, false)
            } else {
                String::new()
            }),
            ("items", [kind]) => match Kind::parse(kind) {
                Some(k) => Some(if self.render {
                    page_content(self.site, Host::Items(k), self.page, false)
                } else {
                    String::new()
                }),
                None => self.bad(
                    d,
                    format!("unknown item kind `{kind}`"),
                    "use `requirement`, `risk`, `control` or `test`".into(),
                ),
            },
            ("risk-register", []) => Some(if self.render {
                render::risk::register(self.site, self.page)
            } else {
                String::new()
            }),
            ("risk-matrix", [stage]) => match render::risk::Stage::parse(stage) {
                Some(s) => Some(if self.render {
                    render::risk::matrix(self.site, self.page, s)
                } else {
                    String::new()
                }),
                None => self.bad(
                    d,
                    format!("unknown risk matrix `{stage}`"),
                    "write `{{#techfile risk-matrix initial}}` (before controls) or `{{#techfile risk-matrix residual}}` (after controls)".into(),
                ),
            },
            ("safety-handover", []) => Some(if self.render {
                render::risk::handover(self.site, self.page)
            } else {
                String::new()
            }),
            ("risk-criteria", []) => Some(if self.render {
                render::risk::criteria(self.site.risk)
            } else {
                String::new()
            }),
            ("ref", [id]) => self.reference(d, id),
            ("sbom", [file]) => match self.site.sboms.find(file) {
                Some(i) => Some(if self.render {
                    crate::render::sbom::sbom_page(self.site, i, self.page, false)
                } else {
                    String::new()
                }),
                // The SBOM exists but could not be read; that error already fails the build.
                None if self.site.sboms.is_failed(file) => Some(String::new()),
                None => {
                    let known: Vec<&str> = self
                        .site
                        .sboms
                        .sboms
                        .iter()
                        .map(|s| s.key.as_str())
                        .collect();
                    let help = if known.is_empty() {
                        "no SBOM is loaded: put CycloneDX JSON files in the folders of `sboms` in [preprocessor.techfile] (default `../sboms`), or fix the ones reported above".to_string()
                    } else {
                        match crate::load::closest(file, known.iter().copied()) {
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
                    self.diags.push(
                        Diagnostic::new(
                            Code::UnknownSbom,
                            format!("no loaded SBOM is named `{file}`"),
                        )
                        .at(self.span(&d.args[1].1), "not a loaded SBOM")
                        .help(help),
                    );
                    None
                }
            },
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
                let help = match crate::load::closest(other, DIRECTIVES.iter().map(|(n, _)| *n)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("use one of {}", usage_list()),
                };
                self.bad(d, format!("unknown directive `{other}`"), help)
            }
        }
    }

    fn reference(&mut self, d: &Directive, id: &str) -> Option<String> {
        if self.site.graph.lookup(id).is_none() {
            *self.unknown_refs += 1;
            let suggestion = if *self.unknown_refs <= 100 {
                crate::checks::trace::suggest(self.site.graph, id)
            } else {
                None
            };
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => "reference an existing item or catalog ID, or create the item".into(),
            };
            let span = self.span(&d.args[1].1);
            self.diags.push(
                Diagnostic::new(
                    Code::UnknownReference,
                    format!("reference to unknown ID `{id}`"),
                )
                .at(span, "no item or catalog entry has this ID")
                .help(help),
            );
            return None;
        }
        Some(if self.render {
            self.site.link(self.page, id)
        } else {
            String::new()
        })
    }
}

fn usage_list() -> String {
    DIRECTIVES
        .iter()
        .map(|(_, u)| format!("`{u}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
