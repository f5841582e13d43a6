//! Whether git would ignore a file, judged by the `.gitignore` files between a root
//! directory (the subject) and the file.

use std::path::Path;

use ignore::gitignore::GitignoreBuilder;

/// Whether `file` (inside `root`) is ignored by a `.gitignore` in `root` or a directory
/// between `root` and `file`.
pub fn is_ignored(root: &Path, file: &Path) -> bool {
    let Ok(relative) = file.strip_prefix(root) else {
        return false;
    };
    let mut dir = root.to_path_buf();
    let mut dirs = vec![dir.clone()];
    for part in relative.parent().into_iter().flat_map(|p| p.components()) {
        dir.push(part);
        dirs.push(dir.clone());
    }
    let mut builder = GitignoreBuilder::new(root);
    for d in &dirs {
        let candidate = d.join(".gitignore");
        if candidate.is_file() {
            let _ = builder.add(candidate);
        }
    }
    match builder.build() {
        Ok(matcher) => matcher.matched_path_or_any_parents(file, false).is_ignore(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_gitignores_are_honoured() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("infra")).unwrap();
        std::fs::write(root.path().join("infra/.env"), "X=1").unwrap();
        assert!(!is_ignored(root.path(), &root.path().join("infra/.env")));
        std::fs::write(root.path().join("infra/.gitignore"), ".env\n").unwrap();
        assert!(is_ignored(root.path(), &root.path().join("infra/.env")));
        std::fs::write(root.path().join("infra/.gitignore"), "# nothing\n").unwrap();
        std::fs::write(root.path().join(".gitignore"), "*.env\n.env\n").unwrap();
        assert!(is_ignored(root.path(), &root.path().join("infra/.env")));
    }
}
