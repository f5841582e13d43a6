//! Seeds: one per run (printed, replayable with `--seed`), and one per scenario derived
//! from it, so that a scenario replays alone with the run's seed.

use sha2::{Digest, Sha256};

/// A fresh random run seed.
pub fn random() -> u64 {
    rand::random()
}

/// The seed for `label` (a scenario id) within the run seeded by `run_seed`.
pub fn derive(run_seed: u64, label: &str) -> u64 {
    let digest = Sha256::new()
        .chain_update(run_seed.to_le_bytes())
        .chain_update(label.as_bytes())
        .finalize();
    u64::from_le_bytes(
        digest[..8]
            .try_into()
            .expect("a sha256 digest has 32 bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_are_stable_and_distinct() {
        assert_eq!(derive(7, "a"), derive(7, "a"));
        assert_ne!(derive(7, "a"), derive(7, "b"));
        assert_ne!(derive(7, "a"), derive(8, "a"));
    }
}
