//! A status as the page shows it: a coloured badge, and the `data-status` value tests read.

use maud::{html, Markup};

use crate::report::evidence::Status;

/// `proven`, `refuted`, `not_proven`, `not_applicable`: as in `report.json`.
pub(super) fn slug(status: Status) -> &'static str {
    match status {
        Status::Proven => "proven",
        Status::Refuted => "refuted",
        Status::NotProven => "not_proven",
        Status::NotApplicable => "not_applicable",
    }
}

/// The status's label on its colour.
pub(super) fn badge(status: Status) -> Markup {
    html! { span class={ "badge " (slug(status)) } { (status.label()) } }
}

/// "812 ms", "12.3 s".
pub(super) fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}
