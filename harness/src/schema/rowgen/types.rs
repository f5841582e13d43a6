//! The column types the generator can fill: parsed from `format_type` text for PostgreSQL's
//! own types, resolved through the catalog for the subject's (enums, domains, arrays and
//! ranges of them, extension types such as `citext`), each with a proptest strategy and
//! a plain, distinct value per row number. Values are text the server casts.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::SBoxedStrategy;

use crate::schema::catalog::{TypeInfo, TypeKind};

/// A column type the generator knows how to fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlType {
    SmallInt,
    Integer,
    BigInt,
    /// `numeric(precision, scale)`, or unconstrained.
    Numeric {
        precision: Option<u32>,
        scale: u32,
    },
    Real,
    Double,
    Money,
    Boolean,
    /// `text`, `character varying(n)`, `character(n)`, `citext`.
    Text {
        max_chars: Option<usize>,
    },
    Uuid,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Json,
    Jsonb,
    Bytea,
    Inet,
    Cidr,
    MacAddr,
    TsVector,
    TsQuery,
    Xml,
    Point,
    /// `bit(n)` (exactly n bits) or `bit varying(n)` (at most n).
    Bit {
        length: usize,
        varying: bool,
    },
    /// The labels of an enum, in order.
    Enum(Vec<String>),
    /// A one-dimensional array of the element type.
    Array(Box<SqlType>),
    /// A range over an ordered subtype (integers, numerics, dates, timestamps).
    Range(Box<SqlType>),
}

impl SqlType {
    /// One of PostgreSQL's own types, from `format_type` text ("character varying(40)",
    /// "timestamp(3) without time zone", "integer[]").
    pub fn parse(data_type: &str) -> Option<SqlType> {
        let data_type = data_type.trim();
        if let Some(element) = data_type.strip_suffix("[]") {
            return SqlType::parse(element).map(|e| SqlType::Array(Box::new(e)));
        }
        let (base, numbers) = split_modifier(data_type);
        let sql_type = match base.as_str() {
            "smallint" => SqlType::SmallInt,
            "integer" => SqlType::Integer,
            "bigint" => SqlType::BigInt,
            "numeric" => SqlType::Numeric {
                precision: numbers.first().copied(),
                scale: numbers.get(1).copied().unwrap_or(0),
            },
            "real" => SqlType::Real,
            "double precision" => SqlType::Double,
            "money" => SqlType::Money,
            "boolean" => SqlType::Boolean,
            "text" | "character varying" | "character" | "citext" | "name" => SqlType::Text {
                max_chars: match (base.as_str(), numbers.first()) {
                    (_, Some(&n)) => Some(n as usize),
                    ("character", None) => Some(1),
                    _ => None,
                },
            },
            "uuid" => SqlType::Uuid,
            "date" => SqlType::Date,
            "time without time zone" | "time with time zone" => SqlType::Time,
            "timestamp without time zone" => SqlType::Timestamp,
            "timestamp with time zone" => SqlType::TimestampTz,
            "interval" => SqlType::Interval,
            "json" => SqlType::Json,
            "jsonb" => SqlType::Jsonb,
            "bytea" => SqlType::Bytea,
            "inet" => SqlType::Inet,
            "cidr" => SqlType::Cidr,
            "macaddr" => SqlType::MacAddr,
            "tsvector" => SqlType::TsVector,
            "tsquery" => SqlType::TsQuery,
            "xml" => SqlType::Xml,
            "point" => SqlType::Point,
            "bit" | "bit varying" => SqlType::Bit {
                length: numbers.first().map_or(1, |&n| n as usize),
                varying: base == "bit varying",
            },
            "int4range" => SqlType::Range(Box::new(SqlType::Integer)),
            "int8range" => SqlType::Range(Box::new(SqlType::BigInt)),
            "numrange" => SqlType::Range(Box::new(SqlType::Numeric {
                precision: None,
                scale: 0,
            })),
            "daterange" => SqlType::Range(Box::new(SqlType::Date)),
            "tsrange" => SqlType::Range(Box::new(SqlType::Timestamp)),
            "tstzrange" => SqlType::Range(Box::new(SqlType::TimestampTz)),
            _ => return None,
        };
        Some(sql_type)
    }

    /// Any column type: PostgreSQL's own by name, the subject's through `types` (what the
    /// catalog read of each column type: enum labels, a domain's base, an array's element).
    pub fn resolve(data_type: &str, types: &BTreeMap<String, TypeInfo>) -> Option<SqlType> {
        if let Some(known) = SqlType::parse(data_type) {
            return Some(known);
        }
        let info = types.get(data_type)?;
        match &info.kind {
            TypeKind::Enum { labels } if !labels.is_empty() => Some(SqlType::Enum(labels.clone())),
            TypeKind::Domain { base, .. } => SqlType::resolve(base, types),
            TypeKind::Array { element } => {
                SqlType::resolve(element, types).map(|e| SqlType::Array(Box::new(e)))
            }
            TypeKind::Range { subtype } => {
                SqlType::resolve(subtype, types).map(|s| SqlType::Range(Box::new(s)))
            }
            // an extension's type in another schema prints qualified: try its bare name
            TypeKind::Base { .. } => SqlType::parse(&info.name),
            _ => None,
        }
    }

    /// Values of this type, as the text the server parses; edge values come often.
    pub fn strategy(&self) -> SBoxedStrategy<String> {
        fn ints<T>(edges: Vec<T>) -> SBoxedStrategy<String>
        where
            T: Arbitrary + ToString + Clone + std::fmt::Debug + Send + Sync + 'static,
            T::Strategy: Send + Sync,
        {
            prop_oneof![
                3 => any::<T>().prop_map(|n| n.to_string()),
                2 => select(edges).prop_map(|n| n.to_string()),
            ]
            .sboxed()
        }
        match self {
            SqlType::SmallInt => ints::<i16>(vec![0, 1, -1, 2, i16::MIN, i16::MAX]),
            SqlType::Integer => ints::<i32>(vec![0, 1, -1, 2, i32::MIN, i32::MAX]),
            SqlType::BigInt => ints::<i64>(vec![0, 1, -1, 2, i64::MIN, i64::MAX]),
            SqlType::Numeric { precision, scale } => numeric(*precision, *scale),
            SqlType::Real => prop_oneof![
                prop::num::f32::NORMAL | prop::num::f32::ZERO,
                select(vec![f32::INFINITY, f32::NEG_INFINITY, f32::NAN]),
            ]
            .prop_map(|f| f.to_string())
            .sboxed(),
            SqlType::Double => prop_oneof![
                prop::num::f64::NORMAL | prop::num::f64::ZERO,
                select(vec![f64::INFINITY, f64::NEG_INFINITY, f64::NAN]),
            ]
            .prop_map(|f| f.to_string())
            .sboxed(),
            SqlType::Money => (-100_000_000i64..100_000_000).prop_map(cents_text).sboxed(),
            SqlType::Boolean => any::<bool>().prop_map(|b| b.to_string()).sboxed(),
            SqlType::Text { max_chars } => {
                let max = max_chars.unwrap_or(24);
                prop_oneof![
                    4 => "[a-z0-9_]{1,12}",
                    1 => "\\PC{0,12}",
                    1 => "[a-zA-Z' \\\\%\"]{0,8}",
                ]
                .prop_map(move |s: String| s.chars().take(max).collect())
                .sboxed()
            }
            SqlType::Uuid => any::<[u8; 16]>().prop_map(|b| uuid_text(&b)).sboxed(),
            SqlType::Date => (-200_000i64..200_000)
                .prop_map(|days| date_from_days(days).format("%Y-%m-%d").to_string())
                .sboxed(),
            SqlType::Time => (0u32..86_400)
                .prop_map(|s| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))
                .sboxed(),
            SqlType::Timestamp | SqlType::TimestampTz => {
                let zone = if *self == SqlType::TimestampTz {
                    "+00"
                } else {
                    ""
                };
                // 1900-01-01 .. 2200-01-01
                (-2_208_988_800i64..7_258_118_400)
                    .prop_map(move |s| format!("{}{zone}", timestamp_text(s)))
                    .sboxed()
            }
            SqlType::Interval => any::<i32>().prop_map(|s| format!("{s} seconds")).sboxed(),
            SqlType::Json | SqlType::Jsonb => prop_oneof![
                Just("{}".to_owned()),
                Just("[]".to_owned()),
                Just("null".to_owned()),
                any::<i32>().prop_map(|n| format!("{{\"n\": {n}}}")),
                "[a-z]{0,8}".prop_map(|s| format!("\"{s}\"")),
            ]
            .sboxed(),
            SqlType::Bytea => prop::collection::vec(any::<u8>(), 0..16)
                .prop_map(|b| format!("\\x{}", hex::encode(b)))
                .sboxed(),
            SqlType::Inet => any::<[u8; 4]>()
                .prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}"))
                .sboxed(),
            SqlType::Cidr => (any::<[u8; 3]>(), 8u8..=24)
                .prop_map(|([a, b, c], bits)| {
                    let address = u32::from_be_bytes([a, b, c, 0]) & (u32::MAX << (32 - bits));
                    let [a, b, c, d] = address.to_be_bytes();
                    format!("{a}.{b}.{c}.{d}/{bits}")
                })
                .sboxed(),
            SqlType::MacAddr => any::<[u8; 6]>().prop_map(|b| mac_text(&b)).sboxed(),
            SqlType::TsVector => prop::collection::vec("[a-z]{1,8}", 1..4)
                .prop_map(|words| words.join(" "))
                .sboxed(),
            SqlType::TsQuery => "[a-z]{1,8}".prop_map(|w: String| w).sboxed(),
            SqlType::Xml => "[a-z]{0,8}"
                .prop_map(|s: String| format!("<r>{s}</r>"))
                .sboxed(),
            SqlType::Point => (any::<i16>(), any::<i16>())
                .prop_map(|(x, y)| format!("({x},{y})"))
                .sboxed(),
            SqlType::Bit { length, varying } => {
                let (length, varying) = (*length, *varying);
                prop::collection::vec(
                    any::<bool>(),
                    if varying { 0..=length } else { length..=length },
                )
                .prop_map(|bits| bits.iter().map(|&b| if b { '1' } else { '0' }).collect())
                .sboxed()
            }
            SqlType::Enum(labels) => select(labels.clone()).sboxed(),
            SqlType::Array(element) => prop::collection::vec(element.strategy(), 0..4)
                .prop_map(|items| array_text(&items))
                .sboxed(),
            SqlType::Range(subtype) => {
                let subtype = subtype.as_ref().clone();
                (0u64..100_000, 1u64..50)
                    .prop_map(move |(n, width)| {
                        format!(
                            "[{},{})",
                            subtype.canonical(n),
                            subtype.canonical(n + width)
                        )
                    })
                    .sboxed()
            }
        }
    }

    /// A plain, valid-looking value, distinct for each `n`: 1, 2, 3…; "r0", "r1"…
    /// Values stay within the type's range, wrapping where `n` is larger than it holds.
    pub fn canonical(&self, n: u64) -> String {
        match self {
            SqlType::SmallInt
            | SqlType::Integer
            | SqlType::Numeric {
                precision: Some(_), ..
            } => {
                let bound = self.wrap_bound().expect("a bounded integer type");
                ((n % bound) + 1).to_string()
            }
            SqlType::BigInt | SqlType::Numeric { .. } | SqlType::Real | SqlType::Double => {
                (n % 1_000_000_000_000_000 + 1).to_string()
            }
            SqlType::Money => cents_text(100 * (n as i64 + 1)),
            SqlType::Boolean => "true".into(),
            SqlType::Text { max_chars } => {
                let text = format!("r{n}");
                match max_chars {
                    Some(max) if text.len() > *max => text[text.len() - max..].to_owned(),
                    _ => text,
                }
            }
            SqlType::Uuid => {
                let mut bytes = [0u8; 16];
                bytes[8..].copy_from_slice(&n.to_be_bytes());
                uuid_text(&bytes)
            }
            SqlType::Date => date_from_days(8766 + (n % 40_000) as i64)
                .format("%Y-%m-%d")
                .to_string(),
            SqlType::Time => {
                let s = n % 86_400;
                format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
            }
            SqlType::Timestamp => timestamp_text(1_704_067_200 + 60 * (n % 50_000_000) as i64),
            SqlType::TimestampTz => format!(
                "{}+00",
                timestamp_text(1_704_067_200 + 60 * (n % 50_000_000) as i64)
            ),
            SqlType::Interval => format!("{} seconds", n % 1_000_000_000),
            SqlType::Json | SqlType::Jsonb => format!("{{\"n\": {n}}}"),
            SqlType::Bytea => format!("\\x{}", hex::encode(n.to_be_bytes())),
            SqlType::Inet => {
                let [_, _, _, _, _, a, b, c] = n.to_be_bytes();
                format!("10.{a}.{b}.{c}")
            }
            SqlType::Cidr => {
                let [_, _, _, _, _, _, a, b] = n.to_be_bytes();
                format!("10.{a}.{b}.0/24")
            }
            SqlType::MacAddr => {
                let [_, _, a, b, c, d, e, f] = n.to_be_bytes();
                mac_text(&[a | 0x02, b, c, d, e, f])
            }
            SqlType::TsVector | SqlType::TsQuery => format!("r{n}"),
            SqlType::Xml => format!("<r>{n}</r>"),
            SqlType::Point => format!("({n},{n})"),
            SqlType::Bit { length, varying } => {
                let width = if *varying { (*length).min(64) } else { *length };
                (0..width)
                    .rev()
                    .map(|i| if i < 64 && n >> i & 1 == 1 { '1' } else { '0' })
                    .collect()
            }
            SqlType::Enum(labels) => labels[n as usize % labels.len()].clone(),
            SqlType::Array(element) => array_text(&[element.canonical(n)]),
            SqlType::Range(subtype) => {
                format!("[{},{})", subtype.canonical(n), subtype.canonical(n + 1))
            }
        }
    }

    /// For an integer type narrower than a row number (`smallint`, `integer`,
    /// `numeric(p, s)`): its plain values are `1 ..= bound`, wrapping past it.
    pub fn wrap_bound(&self) -> Option<u64> {
        match self {
            SqlType::SmallInt => Some(32_000),
            SqlType::Integer => Some(2_000_000_000),
            SqlType::Numeric {
                precision: Some(precision),
                scale,
            } => {
                let digits = precision.saturating_sub(*scale).min(18);
                Some(10u64.pow(digits).saturating_sub(1).max(1))
            }
            _ => None,
        }
    }

    /// Whether values of this type are written without quotes in displayed SQL.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Numeric { .. }
        )
    }

    /// Whether values are text the way an SQL string literal is (no cast needed to read).
    pub fn is_text(&self) -> bool {
        matches!(self, SqlType::Text { .. })
    }
}

/// `timestamp(3) without time zone` → ("timestamp without time zone", []);
/// `numeric(10,2)` → ("numeric", [10, 2]).
fn split_modifier(data_type: &str) -> (String, Vec<u32>) {
    let Some((before, rest)) = data_type.split_once('(') else {
        return (data_type.to_owned(), Vec::new());
    };
    let (inside, after) = rest.split_once(')').unwrap_or((rest, ""));
    let numbers = inside
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let base = format!("{} {}", before.trim(), after.trim());
    (base.trim().to_owned(), numbers)
}

/// An array literal: `{"a","b"}`, every element quoted and escaped.
fn array_text(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|i| format!("\"{}\"", i.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    format!("{{{}}}", quoted.join(","))
}

fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn mac_text(b: &[u8; 6]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn numeric(precision: Option<u32>, scale: u32) -> SBoxedStrategy<String> {
    let integer_digits = precision
        .map(|p| p.saturating_sub(scale))
        .unwrap_or(15)
        .min(15);
    let bound: i64 = 10i64.pow(integer_digits) - 1;
    let fraction_digits = if precision.is_some() { scale } else { 4 }.min(6);
    let fraction_bound: u32 = 10u32.pow(fraction_digits);
    (-bound..=bound, 0..fraction_bound.max(1))
        .prop_map(move |(whole, fraction)| {
            if fraction_digits == 0 {
                whole.to_string()
            } else {
                format!(
                    "{whole}.{fraction:0width$}",
                    width = fraction_digits as usize
                )
            }
        })
        .sboxed()
}

fn uuid_text(b: &[u8; 16]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn date_from_days(days: i64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date")
        + chrono::Duration::days(days)
}

fn timestamp_text(unix_seconds: i64) -> String {
    chrono::DateTime::from_timestamp(unix_seconds, 0)
        .expect("in chrono's range")
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
