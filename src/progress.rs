//! Progress lines on stderr while scenarios run.

use std::io::Write;

use harness::report::evidence::ScenarioReport;
use harness::run::runner::Observer;

#[derive(Debug, Default)]
pub struct Progress;

impl Observer for Progress {
    fn scenario_started(&self, claim: &str, scenario: &str, _title: &str) {
        eprint!("  {claim}/{scenario} … ");
        let _ = std::io::stderr().flush();
    }

    fn scenario_finished(&self, _claim: &str, report: &ScenarioReport) {
        eprintln!(
            "{} ({:.1} s)",
            report.status.label(),
            report.duration_ms / 1000.0
        );
    }
}
