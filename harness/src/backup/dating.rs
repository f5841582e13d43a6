//! Backups made now, dated as if made earlier. A retention policy is judged on backups of
//! many ages, and the harness cannot wait weeks: it runs the subject's backup command
//! now, then sets each backup's modification time back (as `find -mtime` reads it) and,
//! when its name carries the time it was made (`app_20261130_041500.sql.gz`,
//! `shop-2026-11-30.dump`, `backup-1764476100.dump`), rewrites that time in the same
//! format, so that the backup looks in every way like one a schedule made back then.

use std::ops::Range;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Local, Utc};

/// How backup names commonly write their time, most precise first (chrono formats).
const FORMATS: &[&str] = &[
    "%Y%m%dT%H%M%S",
    "%Y-%m-%dT%H-%M-%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d_%H-%M-%S",
    "%Y-%m-%d-%H-%M-%S",
    "%Y-%m-%d_%H%M%S",
    "%Y-%m-%d-%H%M%S",
    "%Y%m%d_%H%M%S",
    "%Y%m%d-%H%M%S",
    "%Y%m%d%H%M%S",
    "%Y-%m-%d_%H%M",
    "%Y%m%d_%H%M",
    "%Y%m%d%H%M",
    "%s",
    "%Y-%m-%d",
    "%Y%m%d",
];

/// A time written in a name: where, in which format and zone, and which instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub range: Range<usize>,
    pub format: &'static str,
    pub utc: bool,
    pub at: DateTime<Utc>,
}

impl Stamp {
    /// Whether the format only says the day (two backups of one day share a name).
    pub fn daily(&self) -> bool {
        !self.format.contains("%H") && self.format != "%s"
    }

    /// The same format, written for `at`.
    fn write(&self, at: DateTime<Utc>) -> String {
        if self.utc {
            at.format(self.format).to_string()
        } else {
            at.with_timezone(&Local).format(self.format).to_string()
        }
    }
}

/// The time written in `name`, if it is an instant between `from` and `to` (a command's
/// start and end) in one of the usual formats, UTC or local time; the most precise match.
pub fn find_stamp(name: &str, from: SystemTime, to: SystemTime) -> Option<Stamp> {
    let from = DateTime::<Utc>::from(from).timestamp() - 1;
    let to = DateTime::<Utc>::from(to).timestamp() + 1;
    // a long backup still has a start and an end: at most an hour is searched second by second
    let to = to.min(from + 3_600);
    for format in FORMATS {
        for utc in [true, false] {
            let mut last = String::new();
            for second in from..=to {
                let at = DateTime::<Utc>::from_timestamp(second, 0)?;
                let stamp = Stamp {
                    range: 0..0,
                    format,
                    utc,
                    at,
                };
                let text = stamp.write(at);
                if text == last {
                    continue;
                }
                if let Some(start) = name.find(&text) {
                    return Some(Stamp {
                        range: start..start + text.len(),
                        ..stamp
                    });
                }
                last = text;
            }
        }
    }
    None
}

/// `name` with `stamp` (found in it or in the name of the backup it goes with)
/// rewritten to `age` earlier; unchanged when `name` does not carry it.
pub fn redate(name: &str, stamp: &Stamp, age: Duration) -> String {
    let earlier = stamp.at - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::zero());
    name.replacen(&stamp.write(stamp.at), &stamp.write(earlier), 1)
}

impl Stamp {
    /// "`%Y%m%d_%H%M%S` (UTC)", for evidence.
    pub fn describe(&self) -> String {
        format!(
            "`{}` ({})",
            self.format,
            if self.utc { "UTC" } else { "local time" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        DateTime::parse_from_rfc3339(text).unwrap().into()
    }

    #[test]
    fn second_day_and_epoch_stamps_are_found_and_rewritten() {
        let (from, to) = (at("2026-11-30T04:15:00Z"), at("2026-11-30T04:15:02Z"));
        let day = Duration::from_secs(86_400);

        let stamp = find_stamp("app_20261130_041501.sql.gz", from, to).unwrap();
        assert_eq!(stamp.format, "%Y%m%d_%H%M%S");
        assert!(!stamp.daily());
        assert_eq!(
            redate("app_20261130_041501.sql.gz", &stamp, day * 31),
            "app_20261030_041501.sql.gz"
        );

        let name = "instantviz_20261130T041501.123456789Z.dump";
        let stamp = find_stamp(name, from, to).unwrap();
        assert_eq!(
            redate(name, &stamp, day),
            "instantviz_20261129T041501.123456789Z.dump"
        );

        let stamp = find_stamp("shop-2026-11-30.dump", from, to).unwrap();
        assert!(stamp.daily());
        assert_eq!(
            redate("shop-2026-11-30.dump", &stamp, day * 2),
            "shop-2026-11-28.dump"
        );

        let stamp = find_stamp("backup-1796012101.dump", from, to).unwrap();
        assert_eq!(
            redate("backup-1796012101.dump", &stamp, Duration::from_secs(100)),
            "backup-1796012001.dump"
        );

        assert_eq!(find_stamp("db.dump", from, to), None);
        assert_eq!(find_stamp("app_20250101_000000.sql.gz", from, to), None);
    }
}
