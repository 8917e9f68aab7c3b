//! The front-matter of the threat-model kinds: asset, actor, process, data store, interface,
//! data flow and trust boundary. Their references to each other are trace links, read with
//! the other trace keys; this module reads the rest and the keys each kind requires.

use super::{ByKey, Reader};
use crate::diag::{Code, Diagnostic};
use crate::model::{
    ActorType, AssetType, Direction, Exposure, InterfaceType, Kind, ModelFields, Need, Relation,
    Span, Spanned, Status, Stride, TraceLink,
};
use crate::suggest::closest;
use toml::de::DeValue;

/// Keys an element must have whatever its status: without them it is not a part of the
/// model at all (a flow with no end, an interface of nothing).
const STRUCTURAL: &[(Kind, &str, &str)] = &[
    (
        Kind::DataFlow,
        "from",
        "add `from = \"PRC-...\"`: the actor, process or data store the data leaves",
    ),
    (
        Kind::DataFlow,
        "to",
        "add `to = \"PRC-...\"`: the actor, process or data store the data reaches",
    ),
    (
        Kind::Interface,
        "element",
        "add `element = \"PRC-...\"`: the actor, process or data store whose entry point this is",
    ),
];

/// Keys an element needs once it leaves draft, because the views and an auditor rely on them.
const FOR_REVIEW: &[(Kind, &str)] = &[
    (Kind::Asset, "asset-type"),
    (Kind::Asset, "confidentiality"),
    (Kind::Asset, "integrity"),
    (Kind::Asset, "availability"),
    (Kind::Actor, "actor-type"),
    (Kind::DataStore, "assets"),
    (Kind::DataStore, "encryption"),
    (Kind::DataStore, "retention"),
    (Kind::Interface, "interface-type"),
    (Kind::Interface, "protocol"),
    (Kind::Interface, "direction"),
    (Kind::Interface, "exposure"),
    (Kind::Interface, "authentication"),
    (Kind::Interface, "encryption"),
    (Kind::TrustBoundary, "contains"),
];

/// The keys an element of `kind` must have: always (`always`), and once its status is
/// `in-review` or `approved` (`for_review`, the others included). For the documentation
/// and its test; the reader below applies the same tables.
pub fn required_keys(kind: Kind) -> (Vec<&'static str>, Vec<&'static str>) {
    let always = STRUCTURAL
        .iter()
        .filter(|(k, _, _)| *k == kind)
        .map(|(_, key, _)| *key)
        .collect();
    let for_review = FOR_REVIEW
        .iter()
        .filter(|(k, _)| *k == kind)
        .map(|(_, key)| *key)
        .collect();
    (always, for_review)
}

impl Reader<'_> {
    /// The keys of a threat-model element of `kind`, whose own ID is `id` and whose trace
    /// links were read into `links`.
    pub(super) fn model_fields(
        &mut self,
        by_key: &ByKey<'_, '_>,
        kind: Kind,
        id: &str,
        links: &[TraceLink],
        status: Status,
        status_span: Span,
    ) -> ModelFields {
        let on = |k: Kind| kind == k;
        let mut f = ModelFields::default();
        if on(Kind::Asset) {
            f.asset_type = self.word(by_key, "asset-type", AssetType::parse, AssetType::WORDS);
            f.confidentiality = self.word(by_key, "confidentiality", Need::parse, Need::WORDS);
            f.integrity = self.word(by_key, "integrity", Need::parse, Need::WORDS);
            f.availability = self.word(by_key, "availability", Need::parse, Need::WORDS);
        }
        if on(Kind::Actor) {
            f.actor_type = self.word(by_key, "actor-type", ActorType::parse, ActorType::WORDS);
            f.capability = self.one_line(by_key, "capability", "what the attacker can do");
        }
        if on(Kind::Process) {
            f.technology = self.one_line(by_key, "technology", "what the process runs on");
        }
        if on(Kind::DataStore) {
            f.encryption = self.one_line(
                by_key,
                "encryption",
                "how the data are encrypted at rest, or `none`",
            );
            f.retention = self.one_line(by_key, "retention", "how long the data are kept");
        }
        if on(Kind::Interface) {
            f.interface_type = self.word(
                by_key,
                "interface-type",
                InterfaceType::parse,
                InterfaceType::WORDS,
            );
            f.protocol = self.one_line(by_key, "protocol", "the protocol, such as `HTTPS`");
            f.protocol_version = self.one_line(
                by_key,
                "protocol-version",
                "the protocol version, such as `TLS 1.3`",
            );
            f.port = self.one_line(by_key, "port", "the port, such as `TCP 443`");
            f.direction = self.word(by_key, "direction", Direction::parse, Direction::WORDS);
            f.exposure = self.word(by_key, "exposure", Exposure::parse, Exposure::WORDS);
            f.authentication = self.one_line(
                by_key,
                "authentication",
                "how the other side is authenticated, or `none`",
            );
            f.encryption = self.one_line(
                by_key,
                "encryption",
                "how the traffic is encrypted, or `none`",
            );
            f.purpose = self.one_line(by_key, "purpose", "what the interface is used for");
        }
        if kind.is_stride_element() {
            f.not_applicable = self.not_applicable(by_key);
        }

        for (k, key, help) in STRUCTURAL {
            if *k == kind && !by_key.contains_key(key) {
                self.diags.push(
                    Diagnostic::new(Code::MissingKey, format!("missing required key `{key}`"))
                        .at(self.header_span, format!("`{key}` is not set here"))
                        .help(*help),
                );
            }
        }
        if kind == Kind::DataFlow
            && let (Some(from), Some(to)) = (
                links.iter().find(|l| l.relation == Relation::FlowFrom),
                links.iter().find(|l| l.relation == Relation::FlowTo),
            )
            && from.target == to.target
        {
            self.invalid(
                to.span,
                format!("data flow `{id}` goes from `{}` to itself", to.target),
                "a data flow connects two different elements; data an element keeps to itself is not a flow (model where it is kept as a data store, and the flow to it)",
            );
        }
        if kind == Kind::TrustBoundary {
            if let Some((value, _)) = by_key.get("contains")
                && matches!(value.get_ref(), DeValue::Array(a) if a.is_empty())
            {
                self.invalid(
                    self.span(value.span()),
                    "`contains` is an empty list".into(),
                    "list the actors, processes, data stores and trust boundaries inside the boundary",
                );
            }
            for l in links.iter().filter(|l| l.relation == Relation::Contains) {
                if l.target == id {
                    self.invalid(
                        l.span,
                        format!("trust boundary `{id}` contains itself"),
                        "a boundary contains other elements and boundaries; remove its own ID",
                    );
                }
            }
        }
        if matches!(status, Status::InReview | Status::Approved) {
            let missing: Vec<String> = FOR_REVIEW
                .iter()
                .filter(|(k, key)| *k == kind && !by_key.contains_key(key))
                .map(|(_, key)| format!("`{key}`"))
                .collect();
            if !missing.is_empty() {
                let s = if missing.len() == 1 { "" } else { "s" };
                self.diags.push(
                    Diagnostic::new(
                        Code::MissingKey,
                        format!(
                            "{} {} lacks the required key{s} {}",
                            if status == Status::Approved {
                                "an approved"
                            } else {
                                "a reviewed"
                            },
                            kind.noun(),
                            missing.join(", ")
                        ),
                    )
                    .at(status_span, "this status requires them")
                    .help(format!(
                        "{} in review or approved states {}; keep `status = \"draft\"` while the model is in progress",
                        kind.with_article(),
                        review_needs(kind)
                    )),
                );
            }
        }
        f
    }

    /// One word of a fixed list.
    fn word<T>(
        &mut self,
        by_key: &ByKey<'_, '_>,
        key: &str,
        parse: fn(&str) -> Option<T>,
        words: &[&str],
    ) -> Option<T> {
        let (w, span) = self.optional_str(by_key, key)?;
        let parsed = parse(&w);
        if parsed.is_none() {
            let help = match closest(&w, words.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("use {}", quoted(words)),
            };
            self.invalid(span, format!("unknown {key} `{w}`"), help);
        }
        parsed
    }

    fn one_line(&mut self, by_key: &ByKey<'_, '_>, key: &str, what: &str) -> Option<String> {
        self.line(by_key, key, what).map(|(s, _)| s)
    }

    /// `not-applicable = { spoofing = "reason", ... }`: STRIDE words with a reason each,
    /// returned in STRIDE order.
    fn not_applicable(&mut self, by_key: &ByKey<'_, '_>) -> Vec<(Stride, Spanned<String>)> {
        let Some((value, _)) = by_key.get("not-applicable") else {
            return Vec::new();
        };
        let example = "`not-applicable = { spoofing = \"why spoofing cannot happen here\" }`";
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type("not-applicable", value, "a table", example);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in table.iter() {
            let word: &str = k.get_ref().as_ref();
            let key_span = self.span(k.span());
            let Some(category) = Stride::parse(word) else {
                let help = match closest(word, Stride::WORDS.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "the keys are the STRIDE categories {}",
                        quoted(Stride::WORDS)
                    ),
                };
                self.invalid(key_span, format!("unknown STRIDE category `{word}`"), help);
                continue;
            };
            match v.get_ref() {
                DeValue::String(reason) if !reason.trim().is_empty() => out.push((
                    category,
                    Spanned {
                        value: reason.to_string(),
                        span: self.span(v.span()),
                    },
                )),
                DeValue::String(_) => self.invalid(
                    self.span(v.span()),
                    format!("the reason why `{word}` does not apply is empty"),
                    "say why the threat cannot happen to this element, or remove the entry",
                ),
                _ => self.wrong_type(
                    &format!("not-applicable.{word}"),
                    v,
                    "a string",
                    "a reason in quotes",
                ),
            }
        }
        out.sort_by_key(|(c, _)| *c);
        out
    }
}

/// What a reviewed element of `kind` states, for the help line.
fn review_needs(kind: Kind) -> &'static str {
    match kind {
        Kind::Asset => {
            "its `asset-type` and the `confidentiality`, `integrity` and `availability` it needs"
        }
        Kind::Actor => "its `actor-type`",
        Kind::DataStore => "the `assets` it holds, its `encryption` at rest and its `retention`",
        Kind::Interface => {
            "its `interface-type`, `protocol`, `direction`, `exposure`, `authentication` and `encryption`"
        }
        Kind::TrustBoundary => "what it `contains`",
        _ => "its keys",
    }
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
