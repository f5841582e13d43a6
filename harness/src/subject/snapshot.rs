//! The subject's `pg_stat_statements` snapshot (`[workload] pg_stat_statements`): CSV with a
//! header naming `query` and `calls`, as `\copy (SELECT query, calls FROM
//! pg_stat_statements) TO 'statements.csv' CSV HEADER` writes it.

use std::path::Path;

/// One row of the snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub query: String,
    pub calls: f64,
}

/// The snapshot's statements, most frequent first; the error names what is wrong with the
/// file.
pub fn read_snapshot(path: &Path) -> Result<Vec<Statement>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: no CSV header: {e}", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "{}: the CSV header has no `{name}` column (found: {})",
                    path.display(),
                    headers.iter().collect::<Vec<_>>().join(", ")
                )
            })
    };
    let (query_at, calls_at) = (column("query")?, column("calls")?);
    let mut statements = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let line = record.position().map_or(i + 2, |p| p.line() as usize);
        let query = record.get(query_at).unwrap_or_default().trim().to_owned();
        let calls: f64 = record
            .get(calls_at)
            .unwrap_or_default()
            .trim()
            .parse()
            .map_err(|_| {
                format!(
                    "{}:{line}: `calls` is not a number: {:?}",
                    path.display(),
                    record.get(calls_at).unwrap_or_default()
                )
            })?;
        if !query.is_empty() {
            statements.push(Statement { query, calls });
        }
    }
    statements.sort_by(|a, b| b.calls.total_cmp(&a.calls));
    Ok(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_read_most_frequent_first_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("statements.csv");
        std::fs::write(
            &file,
            "userid,query,calls\n10,\"SELECT * FROM a WHERE b = $1\",5\n10,\"SELECT 1, \"\"x\"\"\",900\n",
        )
        .unwrap();
        let read = read_snapshot(&file).unwrap();
        assert_eq!(read[0].query, "SELECT 1, \"x\"");
        assert_eq!(read[1].calls, 5.0);

        std::fs::write(&file, "query,total\nSELECT 1,3\n").unwrap();
        let err = read_snapshot(&file).unwrap_err();
        assert!(err.contains("no `calls` column"), "{err}");
        std::fs::write(&file, "query,calls\nSELECT 1,many\n").unwrap();
        let err = read_snapshot(&file).unwrap_err();
        assert!(
            err.contains("statements.csv:2: `calls` is not a number"),
            "{err}"
        );
    }
}
