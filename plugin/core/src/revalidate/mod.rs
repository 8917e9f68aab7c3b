//! Revalidation: the checks that depend on the world rather than on the files alone.
//! Advisories change every day and VEX statements expire, so the result is a function of
//! the files, the advisory folders and the date (`revalidate --today`), and the reports
//! record all three so a run can be repeated and shown as evidence. The checks themselves
//! run in [`crate::analyse`] (`crate::advisory::pipeline`); this module writes the
//! reports of an [`crate::Analysis`].

pub mod markdown;
pub mod report;
