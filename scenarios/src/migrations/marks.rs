//! The steps a manifest marks: `migrations.destructive` (steps whose rollback may lose
//! data), `migrations.downs_supported_from` (the first step with a supported down) and
//! `migrations.deployed_through` (the last step already in production).
//! An entry names a step by its version, its name, or text of the tool's record of it
//! (an Alembic revision id).

use harness::run::scenario::ScenarioError;
use harness::subject::Subject;

/// One manifest entry and whether any step matched it.
struct Entry {
    key: String,
    text: String,
    matched: bool,
}

impl Entry {
    fn matches(&mut self, names: &[String]) -> bool {
        let text = self.text.trim();
        // a number is a version (`5` is `0005`), or a record's whole value: never a part of
        // another name
        let hit = match text.parse::<i64>() {
            Ok(version) => names.iter().any(|name| {
                name.parse::<i64>() == Ok(version) || name.contains(&format!("({text})"))
            }),
            Err(_) => names.iter().any(|name| name.contains(text)),
        };
        self.matched |= hit;
        hit
    }
}

/// The marked steps, checked against each step as the walk reaches it.
pub struct Marks {
    destructive: Vec<Entry>,
    downs_from: Option<Entry>,
    /// Whether the walk has reached the first step with a supported down.
    downs_reached: bool,
    deployed_through: Option<Entry>,
    /// Whether the walk has passed the last deployed step.
    deployed_passed: bool,
}

impl Marks {
    fn of(subject: &Subject) -> Marks {
        let section = &subject.manifest.migrations;
        let entry = |key: String, text: &String| Entry {
            key,
            text: text.clone(),
            matched: false,
        };
        Marks {
            destructive: section
                .destructive
                .iter()
                .enumerate()
                .map(|(i, t)| entry(format!("migrations.destructive[{i}]"), t))
                .collect(),
            downs_from: section
                .downs_supported_from
                .as_ref()
                .map(|t| entry("migrations.downs_supported_from".into(), t)),
            downs_reached: section.downs_supported_from.is_none(),
            deployed_through: section
                .deployed_through
                .as_ref()
                .map(|t| entry("migrations.deployed_through".into(), t)),
            deployed_passed: section.deployed_through.is_none(),
        }
    }

    /// Only `deployed_through`, for the checks that judge steps still to deploy.
    pub fn deployed_only(subject: &Subject) -> Marks {
        Marks {
            destructive: Vec::new(),
            downs_from: None,
            downs_reached: true,
            ..Marks::of(subject)
        }
    }

    /// Whether the step called `names` is already deployed: it is the step named by
    /// `deployed_through` or comes before it (steps are asked in order).
    pub fn deployed(&mut self, names: &[String]) -> bool {
        if self.deployed_passed {
            return false;
        }
        if let Some(entry) = &mut self.deployed_through {
            if entry.matches(names) {
                self.deployed_passed = true;
            }
        }
        true
    }

    /// `deployed_through`'s text, for evidence.
    pub fn deployed_through(&self) -> Option<&str> {
        self.deployed_through.as_ref().map(|e| e.text.as_str())
    }

    /// `destructive` and `downs_supported_from`, for the checks that roll steps back.
    pub fn rollbacks(subject: &Subject) -> Marks {
        Marks {
            deployed_through: None,
            deployed_passed: true,
            ..Marks::of(subject)
        }
    }

    /// Only `downs_supported_from`, for a check that does not look at data.
    pub fn downs_only(subject: &Subject) -> Marks {
        Marks {
            destructive: Vec::new(),
            deployed_through: None,
            deployed_passed: true,
            ..Marks::of(subject)
        }
    }

    /// Whether the step called `names` (its version, label, the tool's record) is declared
    /// destructive.
    pub fn destructive(&mut self, names: &[String]) -> bool {
        // every entry is asked, so that each one that names a step is known to
        let mut hit = false;
        for entry in &mut self.destructive {
            hit |= entry.matches(names);
        }
        hit
    }

    /// Whether the step called `names` has a supported down: it is the first step named by
    /// `downs_supported_from` or comes after it (steps are asked in order).
    pub fn down_supported(&mut self, names: &[String]) -> bool {
        if let Some(entry) = &mut self.downs_from {
            if !self.downs_reached && entry.matches(names) {
                self.downs_reached = true;
            }
        }
        self.downs_reached
    }

    /// `downs_supported_from`'s text, for evidence.
    pub fn downs_from(&self) -> Option<&str> {
        self.downs_from.as_ref().map(|e| e.text.as_str())
    }

    /// After the walk: an entry that matched no step is a mistake in the manifest.
    pub fn unmatched(&self, subject: &Subject) -> Result<(), ScenarioError> {
        let entries = self
            .destructive
            .iter()
            .chain(self.downs_from.as_ref())
            .chain(self.deployed_through.as_ref());
        match entries.into_iter().find(|e| !e.matched) {
            Some(entry) => Err(ScenarioError::Manifest(subject.invalid(
                &entry.key,
                format!(
                    "`{}` names no migration step (give a version, a name, or the tool's revision id)",
                    entry.text
                ),
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> Entry {
        Entry {
            key: "k".into(),
            text: text.into(),
            matched: false,
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_number_is_a_version_or_a_whole_record_never_part_of_a_name() {
        let dir_step = names(&["10", "0010 add users"]);
        assert!(entry("10").matches(&dir_step));
        assert!(entry("0010").matches(&dir_step));
        assert!(!entry("1").matches(&dir_step));
        let alembic = names(&["step 3 (alembic_version: (001))"]);
        assert!(entry("001").matches(&alembic));
        assert!(!entry("3").matches(&alembic));
    }

    #[test]
    fn text_matches_a_name_or_a_revision_id() {
        let step = names(&["step 4 (alembic_version: (2c4bc19b6c0f))"]);
        assert!(entry("2c4bc19b6c0f").matches(&step));
        assert!(entry("add users").matches(&names(&["7", "0007 add users"])));
        assert!(!entry("drop").matches(&step));
    }
}
