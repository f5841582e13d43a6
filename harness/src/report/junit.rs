//! JUnit XML for CI dashboards: one suite per claim, one case per scenario; REFUTED is a
//! failure and NOT PROVEN an error, so that neither reads as a pass.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::evidence::{Scorecard, Status};

pub fn render(scorecard: &Scorecard) -> String {
    let mut report = Report::new(format!("readiness: {}", scorecard.subject));
    report.set_time(Duration::from_secs_f64(scorecard.duration_ms / 1000.0));
    for claim in &scorecard.claims {
        let mut suite = TestSuite::new(claim.id.clone());
        if claim.scenarios.is_empty() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_type("not-proven")
                .set_message(claim.reason.clone());
            suite.add_test_case(TestCase::new("not-implemented", status));
        }
        for scenario in &claim.scenarios {
            let mut status = match scenario.status {
                Status::Proven => TestCaseStatus::success(),
                Status::Refuted => TestCaseStatus::non_success(NonSuccessKind::Failure),
                Status::NotProven => TestCaseStatus::non_success(NonSuccessKind::Error),
                Status::NotApplicable => TestCaseStatus::skipped(),
            };
            if scenario.status != Status::Proven {
                status
                    .set_type(match scenario.status {
                        Status::Refuted => "refuted",
                        Status::NotApplicable => "not-applicable",
                        _ => "not-proven",
                    })
                    .set_message(scenario.evidence.summary.clone())
                    .set_description(
                        super::evidence_lines(&scenario.evidence, usize::MAX).join("\n"),
                    );
            }
            let mut case = TestCase::new(scenario.id.clone(), status);
            case.set_classname(format!("readiness.{}", claim.id));
            case.set_time(Duration::from_secs_f64(scenario.duration_ms / 1000.0));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
        .to_string()
        .expect("a junit report always serializes")
}
