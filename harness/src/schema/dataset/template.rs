//! A seeded dataset as a template database: migrated and loaded once per scale and seed,
//! then cloned for every scenario that asks for it.

use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::load::{load, LoadReport};
use crate::error::ScenarioError;
use crate::run::progress;
use crate::schema::migrate::Migrations;
use crate::schema::template::{TemplateError, TemplatePool};
use crate::subject::manifest::scales::scale_label;
use crate::subject::Subject;

/// A dataset template and, when this call built it, how the build went.
#[derive(Debug, Clone)]
pub struct SeededTemplate {
    pub name: String,
    /// `None` when the template had already been built.
    pub built: Option<LoadReport>,
}

/// The template holding `users` users' worth of data generated with `seed`, built on
/// first use (migrations, then [`load`]).
pub async fn seeded_template(
    pool: &TemplatePool,
    migrations: Arc<Migrations>,
    subject: Arc<Subject>,
    users: u64,
    seed: u64,
) -> Result<SeededTemplate, ScenarioError> {
    let key = template_key(&migrations, users, seed);
    let outcome: Arc<Mutex<Option<Result<LoadReport, ScenarioError>>>> = Arc::default();
    let slot = outcome.clone();
    let template = pool
        .template(&key, |db| {
            Box::pin(async move {
                let migrating = progress::begin(
                    &format!("dataset at {} users: migrate", scale_label(users)),
                    None,
                );
                migrations.up_then_mutate(&db.admin()).await?;
                migrating.finish();
                let result = load(&db, &subject, users, seed).await;
                let failure = result.as_ref().err().map(|e| e.to_string());
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
                match failure {
                    Some(message) => Err(TemplateError::Build {
                        template: db.name().to_owned(),
                        message,
                    }),
                    None => Ok(()),
                }
            })
        })
        .await;
    let built = match outcome.lock().unwrap_or_else(|p| p.into_inner()).take() {
        Some(Err(e)) => return Err(e),
        Some(Ok(report)) => Some(report),
        None => None,
    };
    Ok(SeededTemplate {
        name: template?,
        built,
    })
}

/// A key that differs for every scale, seed and set of migrations within the 16
/// characters a template's name keeps of it: "d100k_" and a hash of the rest.
fn template_key(migrations: &Migrations, users: u64, seed: u64) -> String {
    let digest = Sha256::digest(format!("{}:{users}:{seed}", migrations.hash()));
    let head = format!("d{}_", scale_label(users));
    let room = 16usize.saturating_sub(head.len()).max(6);
    format!("{head}{}", &hex::encode(digest)[..room])
}
