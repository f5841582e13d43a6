//! Scale labels: "1k", "10k", "100k", "1m" and plain numbers of users.

/// Parses "1k", "10k", "100k", "1m" or a plain number.
pub fn parse_scale(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let (digits, factor) = match text.chars().last()? {
        'k' => (&text[..text.len() - 1], 1_000),
        'm' => (&text[..text.len() - 1], 1_000_000),
        _ => (text.as_str(), 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(factor))
}

/// Parses a comma-separated list ("1k,10k,100k"), smallest first, without repeats; the
/// error names the label that is not a scale.
pub fn parse_scales(text: &str) -> Result<Vec<u64>, String> {
    let mut users = text
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            parse_scale(s).ok_or_else(|| {
                format!(
                    "`{}` is not a scale (expected e.g. 1k, 10k, 100k, 1m or 2500)",
                    s.trim()
                )
            })
        })
        .collect::<Result<Vec<u64>, String>>()?;
    if users.is_empty() {
        return Err("no scale given (expected e.g. 1k,10k,100k)".into());
    }
    users.sort_unstable();
    users.dedup();
    Ok(users)
}

/// "100k" for 100000.
pub fn scale_label(users: u64) -> String {
    match users {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}m", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_parse_and_print() {
        assert_eq!(parse_scale("1k"), Some(1_000));
        assert_eq!(parse_scale("100K"), Some(100_000));
        assert_eq!(parse_scale("1m"), Some(1_000_000));
        assert_eq!(parse_scale("2500"), Some(2_500));
        assert_eq!(parse_scale("0"), None);
        assert_eq!(parse_scale("lots"), None);
        assert_eq!(scale_label(100_000), "100k");
        assert_eq!(scale_label(1_000_000), "1m");
        assert_eq!(scale_label(2_500), "2500");
    }

    #[test]
    fn scale_lists_are_sorted_and_name_the_bad_label() {
        assert_eq!(parse_scales("10k, 1k,10k"), Ok(vec![1_000, 10_000]));
        let err = parse_scales("1k,huge").unwrap_err();
        assert!(err.contains("`huge`"), "{err}");
        assert!(parse_scales(" , ").is_err());
    }
}
