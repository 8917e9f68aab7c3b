//! Where every ID lives in the book: which page hosts what, and the links generated text
//! uses to reach an item, a catalog entry or an SBOM. Every generator builds on [`Site`].

use super::{href, html};
use crate::config::{RiskConfig, StrideConfig};
use crate::graph::{Node, TraceGraph};
use crate::model::{Kind, Relation, anchor};
use crate::sbom::SbomSet;
use crate::stamp::Stamp;
use crate::threat::Model;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Something a page can host: the items of one kind, or the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Host {
    Items(Kind),
    Catalog,
}

impl Host {
    pub(crate) const ALL: [Host; 6] = [
        Host::Items(Kind::Requirement),
        Host::Items(Kind::Risk),
        Host::Items(Kind::Control),
        Host::Items(Kind::Test),
        Host::Items(Kind::Procedure),
        Host::Catalog,
    ];

    pub(crate) fn title(self) -> &'static str {
        match self {
            Host::Items(k) => k.plural_title(),
            Host::Catalog => "Regulatory catalog",
        }
    }

    pub(crate) fn file_stem(self) -> &'static str {
        match self {
            Host::Items(Kind::Requirement) => "requirements",
            Host::Items(Kind::Risk) => "risks",
            Host::Items(Kind::Control) => "controls",
            Host::Items(Kind::Test) => "tests",
            Host::Items(Kind::Procedure) => "procedures",
            Host::Items(Kind::Asset) => "assets",
            Host::Items(Kind::Actor) => "actors",
            Host::Items(Kind::Process) => "processes",
            Host::Items(Kind::DataStore) => "data-stores",
            Host::Items(Kind::Interface) => "interfaces",
            Host::Items(Kind::DataFlow) => "data-flows",
            Host::Items(Kind::TrustBoundary) => "trust-boundaries",
            Host::Catalog => "catalog",
        }
    }
}

/// The book as the generators see it: the graph, which page hosts what, and the risk
/// scales the estimates are shown on.
pub(crate) struct Site<'g, 'a> {
    pub(crate) graph: &'g TraceGraph<'a>,
    pub(crate) risk: &'g RiskConfig,
    /// Page (path relative to `src`) of each host.
    pub(crate) pages: BTreeMap<Host, String>,
    /// Catalog entries that do not apply to the device, with the reason.
    pub(crate) not_applicable: &'g BTreeMap<String, String>,
    /// The coverage policy: the tables mark a gap where its rules fail (see
    /// [`crate::checks::coverage::Standing`]); `draft` says whether links from drafts count.
    pub(crate) coverage: crate::config::Coverage,
    /// Version, commit, date and input hashes, when `[preprocessor.techfile.bundle]` is set.
    pub(crate) stamp: Option<&'g Stamp>,
    /// The loaded SBOMs and the items' `affects` links.
    pub(crate) sboms: &'g SbomSet,
    /// The advisories matched against the SBOMs, with the VEX statements.
    pub(crate) vulnerabilities: &'g crate::advisory::assess::Assessment,
    /// Page of each SBOM placed in the book (by index into `sboms.sboms`).
    pub(crate) sbom_pages: BTreeMap<usize, String>,
    /// Fingerprints, review records and the review state of every link.
    pub(crate) reviews: &'g crate::review::Reviews,
    /// The coverage gaps and the open work drafts leave.
    pub(crate) gaps: &'g crate::checks::Gaps,
    /// The support of every SBOM component.
    pub(crate) support: &'g crate::lifecycle::Support,
    /// Write an outline: links to IDs as `<a>ID</a>`, without their target, title or
    /// following title text, and an item's table of facts and trace lists as a stand-in
    /// block. An outline has the same Markdown structure and the same ids as the full text,
    /// which is all a link check reads (it checks generated links through their anchors),
    /// and is much cheaper to make: the full pages hold tens of thousands of links.
    pub(crate) outline: bool,
    /// The STRIDE categories that apply to each type of threat-model element.
    pub(crate) stride: &'g StrideConfig,
    /// The threat model, derived from the graph the first time a view needs it.
    pub(crate) threat: OnceLock<Model<'g, 'a>>,
}

impl<'g, 'a> Site<'g, 'a> {
    /// The threat model of the book.
    pub(crate) fn model(&self) -> &Model<'g, 'a> {
        self.threat.get_or_init(|| Model::new(self.graph))
    }
}

impl Site<'_, '_> {
    /// The page and anchor of an ID, if it is placed in the book.
    pub(crate) fn locate(&self, id: &str) -> Option<(&str, String)> {
        let host = match self.graph.lookup(id)? {
            Node::Catalog(_) => Host::Catalog,
            Node::Item(i) => Host::Items(self.graph.items[i].kind),
        };
        let page = self.pages.get(&host)?;
        Some((page.as_str(), anchor(id)))
    }

    /// An HTML link to an ID with its title as a tooltip; escaped text when the ID has no
    /// page (unknown IDs are reported by the checks, not hidden here).
    pub(crate) fn link(&self, from_page: &str, id: &str) -> String {
        if self.outline {
            return format!("<a>{}</a>", html(id));
        }
        let title = self.title_of(id).unwrap_or_default();
        match self.locate(id) {
            Some((page, anchor)) => format!(
                "<a href=\"{}\" title=\"{}\">{}</a>",
                html(&href(from_page, page, &anchor)),
                html(title),
                html(id)
            ),
            None => format!("<code>{}</code>", html(id)),
        }
    }

    /// [`Self::link`] followed by the draft mark when the ID is a draft item, for the
    /// generated tables and lists.
    pub(crate) fn marked(&self, from_page: &str, id: &str) -> String {
        let mark = self.graph.item(id).map_or("", super::draft_mark);
        format!("{}{mark}", self.link(from_page, id))
    }

    /// [`Self::link_with_title`] followed by the draft mark when the ID is a draft item.
    pub(crate) fn marked_with_title(&self, from_page: &str, id: &str) -> String {
        let mark = self.graph.item(id).map_or("", super::draft_mark);
        format!("{}{mark}", self.link_with_title(from_page, id))
    }

    /// A test's link with its draft mark and its result, for the generated tables.
    pub(crate) fn test_with_result(&self, from_page: &str, test: usize) -> String {
        let item = &self.graph.items[test];
        // A failure is red only where `test-failed` fails the build: a draft's failure is
        // open work, and so is one whose code is set to `warn` or `allow`.
        let mark = if item.result == Some(crate::model::TestResult::Fail)
            && !(self.coverage.test_failed
                && crate::checks::coverage::counts(self.graph, self.coverage.draft, test))
        {
            super::open("(failed)")
        } else {
            super::result_mark(item.result)
        };
        format!("{} {mark}", self.marked(from_page, &item.id))
    }

    /// A link followed by the title: "REQ-1 Title". The title is on the page, so the link
    /// carries no tooltip repeating it.
    pub(crate) fn link_with_title(&self, from_page: &str, id: &str) -> String {
        if self.outline {
            return self.link(from_page, id);
        }
        let Some(title) = self.title_of(id) else {
            return self.link(from_page, id);
        };
        match self.locate(id) {
            Some((page, anchor)) => format!(
                "<a href=\"{}\">{}</a> {}",
                html(&href(from_page, page, &anchor)),
                html(id),
                html(title)
            ),
            None => format!("<code>{}</code> {}", html(id), html(title)),
        }
    }

    pub(crate) fn title_of(&self, id: &str) -> Option<&str> {
        Some(match self.graph.lookup(id)? {
            Node::Catalog(c) => &self.graph.catalog.entries()[c].title,
            Node::Item(i) => &self.graph.items[i].title,
        })
    }

    /// `<p><strong>Label:</strong> links</p>`: each link followed by the item's title when
    /// `titles`, else the ID alone with the title as its tooltip.
    pub(crate) fn links_line(
        &self,
        from_page: &str,
        label: &str,
        ids: &[&str],
        titles: bool,
    ) -> String {
        let list = if ids.is_empty() {
            "<em>none</em>".to_string()
        } else if titles {
            ids.iter()
                .map(|id| self.marked_with_title(from_page, id))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            ids.iter()
                .map(|id| self.marked(from_page, id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("<p><strong>{}:</strong> {list}</p>\n", html(label))
    }

    /// Tests that verify the item, the controls implementing or mitigating it, or (for
    /// requirements) the requirements refining it: everything below in the chain.
    pub(crate) fn tests_below(&self, item: usize) -> Vec<usize> {
        let g = self.graph;
        let mut tests = std::collections::BTreeSet::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![item];
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            let node = Node::Item(i);
            for t in g.traced_by(node, Relation::Verifies) {
                tests.insert((g.items[t].id.as_str(), t));
            }
            for r in [
                Relation::Implements,
                Relation::Mitigates,
                Relation::DerivesFrom,
            ] {
                stack.extend(g.traced_by(node, r));
            }
        }
        tests.into_iter().map(|(_, t)| t).collect()
    }
}
