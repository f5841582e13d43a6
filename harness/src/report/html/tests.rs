//! What the page must hold, read from its markup.

use serde_json::json;

use super::render;
use crate::report::evidence::Scorecard;

/// The base scorecard: every status, figure kind and an input error.
const CARD: &str = r#"{
  "schema_version": 1,
  "subject": "instantviz <&> \"co\"",
  "backend": "native",
  "server": "PostgreSQL 15.18",
  "seed": 42,
  "started_at": "2026-11-30T12:00:00Z",
  "duration_ms": 52500.0,
  "claims": [
    {
      "id": "backups",
      "title": "Backups working",
      "statement": "Backups restore.",
      "status": "proven",
      "reason": "restored",
      "scenarios": [
        {
          "id": "pg-dump-round-trip",
          "title": "dump and restore",
          "status": "proven",
          "duration_ms": 6480.0,
          "evidence": {
            "summary": "restored 32003 rows",
            "observations": [{"label": "output", "value": "line 1\nline 2"}],
            "seed": 7
          }
        }
      ]
    },
    {
      "id": "indexes",
      "title": "Indexes on main queries",
      "statement": "Queries stay fast.",
      "status": "refuted",
      "reason": "`delete a user` grows",
      "scenarios": [
        {
          "id": "latency-grows-like-an-index-lookup",
          "title": "latency",
          "status": "refuted",
          "duration_ms": 594.0,
          "evidence": {
            "summary": "`delete a user` grows with the table",
            "findings": [{"id": "unindexed-foreign-key projects", "text": "no index"}],
            "counterexamples": [
              {
                "title": "<script>alert(1)</script>",
                "details": ["latency: 1k: 0.3 ms", "slope 0.79"]
              }
            ],
            "timings": [{"label": "dataset at 1k users ready", "ms": 16.6}],
            "figures": [
              {
                "kind": "latency",
                "max_slope": 0.5,
                "queries": [
                  {
                    "query": "delete a user",
                    "slope": 0.79,
                    "points": [{"users": 1000, "median_ms": 0.3}, {"users": 3000, "median_ms": 0.7}]
                  }
                ]
              },
              {"kind": "dataset", "users": 1000, "build_ms": 16.6}
            ]
          }
        }
      ]
    },
    {
      "id": "monitoring",
      "title": "Monitoring",
      "statement": "Slow queries are logged.",
      "status": "not_proven",
      "reason": "stopped",
      "scenarios": [
        {
          "id": "app-health-follows-the-database",
          "title": "health",
          "status": "not_applicable",
          "duration_ms": 0.0,
          "evidence": {"summary": "no [app]"}
        },
        {
          "id": "slow-queries-are-logged",
          "title": "slow queries",
          "status": "not_proven",
          "duration_ms": 1.0,
          "stopped_by": 0,
          "evidence": {"summary": "not run"}
        }
      ]
    },
    {
      "id": "restore_drill",
      "title": "Restore",
      "statement": "RTO under 15 min.",
      "status": "proven",
      "reason": "0.3 s",
      "scenarios": [
        {
          "id": "rto-drill",
          "title": "drill",
          "status": "proven",
          "duration_ms": 1760.0,
          "evidence": {
            "summary": "restored",
            "figures": [
              {
                "kind": "drill",
                "users": 1000,
                "rto_seconds": 0.31,
                "extrapolated_rto_seconds": 31.0,
                "bound_seconds": 900.0,
                "steps": [{"step": "back up", "seconds": 0.1}, {"step": "restore", "seconds": 0.17}]
              }
            ]
          }
        }
      ]
    }
  ],
  "input_errors": [
    {
      "message": "readiness.toml:3: `monitoring.command`: not found",
      "scenarios": ["monitoring/slow-queries-are-logged"]
    }
  ]
}"#;

/// A scorecard read as `report.json` would be, so that fields added later need no change.
fn scorecard(extra: serde_json::Value) -> Scorecard {
    let mut card: serde_json::Value = serde_json::from_str(CARD).unwrap();
    if let (Some(card), Some(extra)) = (card.as_object_mut(), extra.as_object()) {
        card.extend(extra.clone());
    }
    serde_json::from_value(card).unwrap()
}

/// The element that opens with `<tag` and carries `attribute`, up to its closing tag.
fn element<'a>(html: &'a str, tag: &str, attribute: &str) -> &'a str {
    let at = html
        .find(attribute)
        .unwrap_or_else(|| panic!("{attribute} missing"));
    let start = html[..at].rfind(&format!("<{tag}")).unwrap();
    let end = at + html[at..].find(&format!("</{tag}>")).unwrap();
    &html[start..end]
}

#[test]
fn every_claim_row_carries_its_id_status_and_a_link_to_its_section() {
    let html = render(&scorecard(json!({})));
    for (claim, status) in [
        ("backups", "proven"),
        ("indexes", "refuted"),
        ("monitoring", "not_proven"),
        ("restore_drill", "proven"),
    ] {
        let row = element(&html, "tr", &format!("data-claim=\"{claim}\""));
        assert!(row.contains(&format!("id=\"row-{claim}\"")), "{row}");
        assert!(row.contains(&format!("data-status=\"{status}\"")), "{row}");
        assert!(row.contains(&format!("href=\"#claim-{claim}\"")), "{row}");
        assert!(html.contains(&format!("<section class=\"claim\" id=\"claim-{claim}\"")));
    }
    assert!(
        html.contains("<strong>2/4 PROVEN</strong> · 1 REFUTED · 1 NOT PROVEN"),
        "{html}"
    );
}

#[test]
fn refuted_scenarios_are_open_and_the_others_folded() {
    let html = render(&scorecard(json!({})));
    let refuted = element(&html, "details", "id=\"scenario-indexes-latency-grows");
    assert!(refuted.contains(" open>"), "{refuted}");
    let proven = element(
        &html,
        "details",
        "id=\"scenario-backups-pg-dump-round-trip\"",
    );
    assert!(!proven.contains(" open>"), "{proven}");
    assert!(proven.contains("<pre>line 1\nline 2</pre>"), "{proven}");
    assert!(proven.contains("data-status=\"proven\""));
    let not_applicable = element(&html, "details", "id=\"scenario-monitoring-app-health");
    assert!(
        not_applicable.contains("badge not_applicable\">N/A<"),
        "{not_applicable}"
    );
}

#[test]
fn text_from_the_evidence_is_escaped() {
    let html = render(&scorecard(json!({})));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("instantviz &lt;&amp;&gt; &quot;co&quot;"));
}

#[test]
fn the_page_fetches_nothing() {
    let html = render(&scorecard(json!({})));
    assert!(!html.contains(" src="), "nothing is loaded");
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link off the page: {}",
            &href[..40.min(href.len())]
        );
    }
    assert!(!html.contains("<link"));
    assert!(!html.contains("@import"));
    assert!(!html.contains("url("));
    assert!(
        html.contains("default-src 'none'"),
        "and the browser is told so"
    );
}

#[test]
fn figures_are_charted_under_their_scenario() {
    let html = render(&scorecard(json!({})));
    let indexes = element(&html, "section", "id=\"claim-indexes\"");
    assert_eq!(indexes.matches("<svg ").count(), 1, "the latency chart");
    assert!(indexes.contains("limit: slope 0.5"));
    assert!(
        indexes.contains("<table class=\"datasets\">"),
        "the dataset figure"
    );
    let drill = element(&html, "section", "id=\"claim-restore_drill\"");
    assert!(drill.contains("claimed bound 900 s"), "{drill}");
    assert!(html.contains("instantviz &lt;&amp;&gt; &quot;co&quot;: scenario durations"));
}

#[test]
fn input_errors_come_first_with_the_scenarios_they_stopped() {
    let html = render(&scorecard(json!({})));
    let errors = html.find("id=\"input-errors\"").unwrap();
    assert!(errors < html.find("id=\"scorecard\"").unwrap());
    let error = element(&html, "li", "id=\"input-error-1\"");
    assert!(error.contains("`monitoring.command`: not found"), "{error}");
    assert!(error.contains("href=\"#scenario-monitoring-slow-queries-are-logged\""));
    assert!(html.contains("stopped by <a href=\"#input-error-1\">input error 1</a>"));
    let clean = render(&scorecard(json!({"input_errors": []})));
    assert!(!clean.contains("id=\"input-errors\""));
}

#[test]
fn the_baseline_regressions_and_trends_show_when_there_are_some() {
    let plain = render(&scorecard(json!({})));
    for section in ["id=\"baseline\"", "id=\"regressions\"", "id=\"trends\""] {
        assert!(!plain.contains(section), "{section}");
    }
    let html = render(&scorecard(json!({
        "baseline": {"path": "last/report.json", "started_at": "2026-11-29T12:00:00Z",
            "regressed": [{"id": "indexes/latency-grows-like-an-index-lookup",
                           "before": "PROVEN", "after": "REFUTED"}],
            "improved": [{"id": "backups/pg-dump-round-trip", "before": "REFUTED", "after": "PROVEN"}],
            "new": [{"id": "restore_drill/rto-drill", "before": "not in the baseline", "after": "PROVEN"}],
            "not_run": ["backups/retention-policy"],
            "unchanged": 3},
        "regressions": [{"figure": "RTO at 1k users", "unit": "seconds", "value": 12.0,
                         "median": 8.0, "runs": 5, "tolerance": 0.25}],
        "trends": [{"figure": "RTO at 1k users", "unit": "seconds", "points": [
            {"started_at": "t0", "value": 8.0}, {"started_at": "t1", "value": 12.0}]}]
    })));
    let baseline = element(&html, "section", "id=\"baseline\"");
    assert!(baseline.contains("does not hold"), "{baseline}");
    assert!(baseline.contains("<ul class=\"regressed\"><li><code>indexes/latency-grows-like-an-index-lookup</code>: PROVEN → <strong>REFUTED</strong>"), "{baseline}");
    assert!(baseline.contains("<ul class=\"improved\">"));
    assert!(baseline.contains("restore_drill/rto-drill"));
    assert!(baseline.contains("backups/retention-policy"));
    let regressions = element(&html, "section", "id=\"regressions\"");
    assert!(regressions.contains("RTO at 1k users: 12.000 s against a median of 8.000 s"));
    assert!(element(&html, "section", "id=\"trends\"").contains("<svg "));
}

#[test]
fn the_same_scorecard_renders_the_same_bytes() {
    let card = scorecard(json!({}));
    assert_eq!(render(&card), render(&card));
}

#[test]
fn the_reports_marks_are_plain_signs_and_a_refuted_claims_why_links_its_scenarios() {
    let mut card = scorecard(json!({}));
    card.claims[0].claimed_before = "❌ None".into();
    card.claims[0].claimed_after = "✅ Daily automated".into();
    let html = render(&card);
    let row = element(&html, "tr", "data-claim=\"backups\"");
    assert!(
        row.contains("<span class=\"mark no\">✗</span> None"),
        "{row}"
    );
    assert!(
        row.contains("<span class=\"mark yes\">✓</span> Daily automated"),
        "{row}"
    );
    let row = element(&html, "tr", "data-claim=\"indexes\"");
    assert!(
        row.contains("<a href=\"#scenario-indexes-latency-grows"),
        "{row}"
    );
}

#[test]
fn a_long_summary_is_cut_on_a_character_boundary() {
    assert_eq!(super::page::cut("short", 10), "short");
    assert_eq!(super::page::cut("ééééé ééééé", 6), "ééééé…");
}
