//! `report.html` in a real browser: `verify` on each bundled subject (at small scales), the
//! page loaded by headless Chromium, every claim of `report.json` found in the rendered DOM
//! with its status, nothing fetched from anywhere, and a screenshot kept beside the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use harness::report::evidence::Scorecard;

/// Promises a Chromium to load the page in (`.ci/run` sets it once one is installed).
const REQUIRE_CHROMIUM: &str = "READINESS_REQUIRE_CHROMIUM";
/// A real run at small scales: the page is under test here, not the verdicts at scale.
const SMALL_SCALES: [(&str, &str); 2] = [
    ("READINESS_SCALES", "1k,3k"),
    ("READINESS_DRILL_SCALE", "1k"),
];
/// Long enough for a cold Chromium on a busy 2-core machine.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(120);
/// Attributes that make a browser fetch (or go to) their value.
const URL_ATTRIBUTES: [&str; 6] = ["src", "href", "xlink:href", "action", "poster", "data"];

#[test]
fn report_html_shows_every_claim_of_instantviz_with_its_status() {
    check_report(
        "report_html_shows_every_claim_of_instantviz_with_its_status",
        "instantviz",
    );
}

#[test]
fn report_html_shows_every_claim_of_instantviz_before_with_its_status() {
    check_report(
        "report_html_shows_every_claim_of_instantviz_before_with_its_status",
        "instantviz-before",
    );
}

/// Runs `verify` on the bundled subject `name` and checks its `report.html` in Chromium.
fn check_report(test: &str, name: &str) {
    let Some(chromium) = chromium() else {
        harness::skip::skip(
            test,
            "no chromium on PATH (apt-get install chromium)",
            REQUIRE_CHROMIUM,
        );
        return;
    };
    let started = Instant::now();
    let dir = report_dir(name);
    let (out, pid) = verify(name, &dir);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "verify ended with {:?}:\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let verify_took = started.elapsed();
    assert!(
        leftovers_of(pid).is_empty(),
        "left behind: {:?}",
        leftovers_of(pid)
    );

    let page = dir.join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    let json_text = std::fs::read_to_string(dir.join("report.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let render_took = time_render(&serde_json::from_str(&json_text).unwrap());
    assert_fetches_nothing(&html, "report.html");

    let dom = browser(&chromium, &dir, &["--dump-dom"], &page);
    let dom = String::from_utf8(dom.stdout).unwrap();
    assert!(dom.contains("<section id=\"scorecard\">"), "no page: {dom}");
    let claims = json["claims"].as_array().unwrap();
    assert_eq!(claims.len(), scenarios::CLAIMS.len(), "every claim ran");
    for claim in claims {
        let id = claim["id"].as_str().unwrap();
        let row = element(&dom, "tr", &format!("data-claim=\"{id}\""));
        let status = claim["status"].as_str().unwrap();
        assert!(
            row.contains(&format!("data-status=\"{status}\"")),
            "{id} is {status} in report.json: {row}"
        );
        assert!(
            dom.contains(&format!("id=\"claim-{id}\"")),
            "no section for {id}"
        );
    }
    let scenarios: usize = claims
        .iter()
        .map(|c| c["scenarios"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        dom.matches("<details ").count(),
        scenarios,
        "a fold per scenario"
    );
    assert!(dom.contains("<svg "), "the charts are there");
    assert_fetches_nothing(&dom, "the rendered DOM");

    let screenshot = dir.join("report.png");
    let arguments = [
        format!("--screenshot={}", screenshot.display()),
        "--window-size=1280,4000".to_owned(),
        "--hide-scrollbars".to_owned(),
    ];
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    browser(&chromium, &dir, &arguments, &page);
    let png = std::fs::metadata(&screenshot).map(|m| m.len()).unwrap_or(0);
    assert!(png > 10_000, "{}: {png} bytes", screenshot.display());

    eprintln!(
        "{name}: report.html {} bytes, rendered in {:.2} ms; verify {:.1} s, the test {:.1} s; \
         kept in {} (report.png {png} bytes, seed {})",
        html.len(),
        render_took.as_secs_f64() * 1000.0,
        verify_took.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        dir.display(),
        json["seed"]
    );
}

/// `readiness verify` of the bundled subject `name`, every claim, into `dir`.
fn verify(name: &str, dir: &Path) -> (Output, u32) {
    let subject = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/subjects")
        .join(name);
    let mut command = Command::new(env!("CARGO_BIN_EXE_readiness"));
    command
        .arg("verify")
        .arg("--subject")
        .arg(&subject)
        .arg("--report")
        .arg(dir)
        .envs(SMALL_SCALES)
        .env_remove("DATABASE_URL")
        .env_remove("READINESS_PG_BIN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = child.id();
    (child.wait_with_output().unwrap(), pid)
}

/// An emptied directory under the test target's temp dir: the report stays there for a
/// person to open after the test.
fn report_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("html_report")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How long one rendering of `scorecard` takes (the mean of a few).
fn time_render(scorecard: &Scorecard) -> Duration {
    const RENDERS: u32 = 10;
    let started = Instant::now();
    for _ in 0..RENDERS {
        std::hint::black_box(harness::report::html::render(scorecard));
    }
    started.elapsed() / RENDERS
}

/// `chromium` or `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("chromium"), dir.join("chromium-browser")])
        .find(|candidate| candidate.is_file())
}

/// Headless Chromium on `page` with `arguments`, its profile under `dir`; fails the test
/// when it does not succeed within [`BROWSER_TIMEOUT`].
fn browser(chromium: &Path, dir: &Path, arguments: &[&str], page: &Path) -> Output {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut command = Command::new(chromium);
    command
        .args(["--headless", "--disable-gpu", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(arguments)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Chromium refuses to run as root inside its sandbox
    if nix::unistd::Uid::effective().is_root() {
        command.arg("--no-sandbox");
    }
    let child = command.spawn().unwrap();
    let pid = child.id();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = match receiver.recv_timeout(BROWSER_TIMEOUT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let pid = nix::unistd::Pid::from_raw(pid as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
            panic!("chromium {arguments:?} did not finish in {BROWSER_TIMEOUT:?}");
        }
    };
    assert!(
        output.status.success(),
        "chromium {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The element that opens with `<tag` and carries `attribute`, up to its closing tag.
fn element<'a>(html: &'a str, tag: &str, attribute: &str) -> &'a str {
    let at = html
        .find(attribute)
        .unwrap_or_else(|| panic!("no {attribute} in the page"));
    let start = html[..at].rfind(&format!("<{tag}")).unwrap();
    let end = at + html[at..].find(&format!("</{tag}>")).unwrap();
    &html[start..end]
}

/// No tag of `html` points anywhere but into the page itself, and no style imports.
fn assert_fetches_nothing(html: &str, what: &str) {
    // text and attribute values are escaped, so every `<` opens a tag
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        assert!(!tag.starts_with("link"), "{what}: <{tag}>");
        for attribute in URL_ATTRIBUTES {
            for value in tag.split(&format!(" {attribute}=\"")).skip(1) {
                assert!(
                    value.starts_with('#'),
                    "{what}: <{tag}> points off the page"
                );
            }
        }
    }
    for fetch in ["@import", "url(http", "url(//"] {
        assert!(!html.contains(fetch), "{what}: {fetch}");
    }
}

/// Scratch directories whose owner marker names `pid`: what a finished run left behind.
fn leftovers_of(pid: u32) -> Vec<PathBuf> {
    harness::backend::native::scratch::roots()
        .into_iter()
        .flat_map(|root| std::fs::read_dir(root).into_iter().flatten().flatten())
        .map(|entry| entry.path())
        .filter(|path| {
            std::fs::read_to_string(path.join(".readiness-owner"))
                .is_ok_and(|m| m.split_whitespace().next() == Some(pid.to_string().as_str()))
        })
        .collect()
}
