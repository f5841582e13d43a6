//! The runner's verdicts when a scenario cannot reach one: nothing implemented, a panic,
//! a deadline, a manifest error. None of these may ever read as PROVEN.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use harness::backend::native::NativeBackend;
use harness::run::runner::Quiet;
use harness::run::scenario::ClaimSpec;
use harness::run::scenario::{Context, Run, RunOptions, ScenarioError};
use harness::subject::Subject;
use harness::{Evidence, Outcome, Scenario, Status};

struct Scripted {
    id: &'static str,
    claim: &'static ClaimSpec,
    behaviour: fn(&Context) -> Result<Outcome, ScenarioError>,
    sleep: Duration,
}

#[async_trait]
impl Scenario for Scripted {
    fn id(&self) -> &'static str {
        self.id
    }
    fn claim(&self) -> &'static ClaimSpec {
        self.claim
    }
    fn title(&self) -> &'static str {
        "scripted"
    }
    fn deadline(&self) -> Duration {
        Duration::from_millis(300)
    }
    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        tokio::time::sleep(self.sleep).await;
        (self.behaviour)(ctx)
    }
}

const fn claim(id: &'static str) -> ClaimSpec {
    ClaimSpec {
        id,
        title: id,
        statement: "a claim",
        before: "none",
        after: "all",
    }
}

const PROVEN: ClaimSpec = claim("proven");
const UNIMPLEMENTED: ClaimSpec = claim("unimplemented");
const PANICKY: ClaimSpec = claim("panicky");
const SLOW: ClaimSpec = claim("slow");
const MANIFEST: ClaimSpec = claim("manifest");
const MIXED: ClaimSpec = claim("mixed");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_without_a_verdict_are_not_proven_and_manifest_errors_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("m")).unwrap();
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"s\"\n[migrations]\ndir = \"m\"\n",
    )
    .unwrap();
    let subject = Subject::load(dir.path()).unwrap();
    let run = Run::new(
        subject,
        Arc::new(NativeBackend::new().unwrap()),
        RunOptions {
            seed: 1,
            keep_failed: false,
            proptest_cases: None,
            mutation: None,
        },
    );

    let scenarios: Vec<Arc<dyn Scenario>> = vec![
        Arc::new(Scripted {
            id: "fine",
            claim: &PROVEN,
            behaviour: |_| Ok(Outcome::proven(Evidence::new("ok"))),
            sleep: Duration::ZERO,
        }),
        Arc::new(Scripted {
            id: "panics",
            claim: &PANICKY,
            behaviour: |_| panic!("boom"),
            sleep: Duration::ZERO,
        }),
        Arc::new(Scripted {
            id: "hangs",
            claim: &SLOW,
            behaviour: |_| unreachable!(),
            sleep: Duration::from_secs(60),
        }),
        Arc::new(Scripted {
            id: "bad-input",
            claim: &MANIFEST,
            behaviour: |ctx| {
                Err(ScenarioError::Manifest(
                    ctx.subject().invalid("migrations.dir", "is wrong"),
                ))
            },
            sleep: Duration::ZERO,
        }),
        Arc::new(Scripted {
            id: "mixed",
            claim: &MIXED,
            behaviour: |_| Ok(Outcome::not_proven(Evidence::new("no hook"))),
            sleep: Duration::ZERO,
        }),
        Arc::new(Scripted {
            id: "mixed-ok",
            claim: &MIXED,
            behaviour: |_| Ok(Outcome::proven(Evidence::new("ok"))),
            sleep: Duration::ZERO,
        }),
    ];
    let claims = [PROVEN, UNIMPLEMENTED, PANICKY, SLOW, MANIFEST, MIXED];
    let card = harness::run::runner::run(&claims, &scenarios, run, &Quiet).await;

    let status = |id: &str| card.claim(id).unwrap().status;
    assert_eq!(status("proven"), Status::Proven);
    assert_eq!(status("unimplemented"), Status::NotProven);
    assert!(card
        .claim("unimplemented")
        .unwrap()
        .reason
        .contains("not implemented"));
    assert_eq!(status("panicky"), Status::NotProven);
    assert!(card.claim("panicky").unwrap().scenarios[0]
        .evidence
        .summary
        .contains("panicked (a harness bug): boom"));
    assert_eq!(status("slow"), Status::NotProven);
    assert!(card.claim("slow").unwrap().scenarios[0]
        .evidence
        .summary
        .contains("timed out"));
    assert_eq!(status("manifest"), Status::NotProven);
    assert_eq!(card.input_errors.len(), 1);
    assert!(
        card.input_errors[0]
            .message
            .contains("readiness.toml:4: `migrations.dir`: is wrong"),
        "{:?}",
        card.input_errors
    );
    assert_eq!(
        status("mixed"),
        Status::NotProven,
        "one unproven scenario keeps the claim unproven"
    );
    assert!(!card.all_proven());
}
