//! What leaves the analysis as files for other tools and for the notified body: the trace
//! export (`trace.json`), the release's VEX document (`vex.cdx.json`), the hash manifest (`MANIFEST.sha256`) and the PDF's page
//! furniture. Pure: text and bytes in, text and bytes out; the edge writes them.

pub mod manifest;
pub(crate) mod outline;
pub mod pdf;
pub mod print;
pub mod printed;
pub(crate) mod tagged;
pub mod trace;
pub mod vex;
