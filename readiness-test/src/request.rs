//! What a test asks for: the subject's migrated schema, optionally holding a generated
//! dataset at a scale and seed.

use std::path::{Path, PathBuf};

use harness::schema::dataset::parse_scale;

use crate::{Error, Provider, TestDatabase};

/// The seed of a dataset when the test names none: fixed, so that every test asking for
/// the same scale shares one template.
pub const DEFAULT_SEED: u64 = 1;

/// A request for a test database; [`crate::subject`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub(crate) dir: PathBuf,
    pub(crate) scale: Option<String>,
    pub(crate) seed: u64,
}

/// A dataset of `users` users' worth of rows generated with `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Dataset {
    pub users: u64,
    pub seed: u64,
}

impl Request {
    pub(crate) fn new(dir: &Path) -> Request {
        Request {
            dir: dir.to_path_buf(),
            scale: None,
            seed: DEFAULT_SEED,
        }
    }

    /// Adds a generated dataset: `"500"`, `"1k"`, `"10k"` users' worth of rows, as the
    /// manifest's `[scale]` (or the catalog) generates them.
    pub fn scale(mut self, scale: &str) -> Request {
        self.scale = Some(scale.to_owned());
        self
    }

    /// The seed of the dataset's generated rows (default [`DEFAULT_SEED`]); each scale and
    /// seed is its own template, built once per test binary.
    pub fn seed(mut self, seed: u64) -> Request {
        self.seed = seed;
        self
    }

    /// A fresh database as asked, from the test binary's shared [`Provider`].
    pub async fn database(self) -> Result<TestDatabase, Error> {
        Provider::global()?.database(&self).await
    }

    /// The subject directory, absolute.
    pub(crate) fn absolute_dir(&self) -> PathBuf {
        std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone())
    }

    /// The dataset asked for, checked.
    pub(crate) fn dataset(&self) -> Result<Option<Dataset>, Error> {
        self.scale
            .as_deref()
            .map(|text| {
                parse_scale(text)
                    .map(|users| Dataset {
                        users,
                        seed: self.seed,
                    })
                    .ok_or_else(|| Error::Scale(text.to_owned()))
            })
            .transpose()
    }
}
