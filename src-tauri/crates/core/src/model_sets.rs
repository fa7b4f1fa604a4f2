//! Named model sets: `model_sets.json` in the data folder. A set is the columns of a
//! comparison worth keeping — models, their params and system-prompt overrides — saved
//! by the playground and loaded again there or with `switchboard compare --set NAME`.
//! It is never a conversation: a target's own messages are dropped when it is saved.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chat::{ModelId, Target};
use crate::runner::MAX_TARGETS;

/// The longest name, in characters, once trimmed.
pub const MAX_NAME_CHARS: usize = 60;

/// A saved set of columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ModelSet {
    /// Shown in the picker; unique regardless of case.
    pub name: String,
    /// The columns, in order, each with its params and system prompt (never messages).
    pub targets: Vec<Target>,
}

/// The file's shape: an object, so more can be added beside the sets later.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ModelSetsFile {
    #[serde(default)]
    sets: Vec<ModelSet>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelSetError {
    /// What the user typed; the message says what to type instead.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    File(#[from] crate::json_file::JsonFileError),
}

const WHAT: &str = "the saved model sets";

pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("model_sets.json")
}

/// Every saved set, sorted by name; none when nothing was saved yet.
pub fn load(data_dir: &Path) -> Result<Vec<ModelSet>, ModelSetError> {
    let file: ModelSetsFile = crate::json_file::load(&path(data_dir), WHAT)?;
    Ok(sorted(file.sets))
}

/// The set called `name` (any case), if saved.
pub fn find(data_dir: &Path, name: &str) -> Result<Option<ModelSet>, ModelSetError> {
    let name = name.trim();
    Ok(load(data_dir)?
        .into_iter()
        .find(|s| same_name(&s.name, name)))
}

/// Saves `set` — replacing a set of the same name, whatever its case — and returns
/// every set. Nothing is written when the set is refused.
pub fn save(data_dir: &Path, set: ModelSet) -> Result<Vec<ModelSet>, ModelSetError> {
    let set = checked(set)?;
    let mut sets = load(data_dir)?;
    sets.retain(|s| !same_name(&s.name, &set.name));
    sets.push(set);
    write(data_dir, sorted(sets))
}

/// Deletes the set called `name` (any case) and returns the sets left; deleting a set
/// that is not there changes nothing.
pub fn delete(data_dir: &Path, name: &str) -> Result<Vec<ModelSet>, ModelSetError> {
    let mut sets = load(data_dir)?;
    let before = sets.len();
    sets.retain(|s| !same_name(&s.name, name.trim()));
    if sets.len() == before {
        return Ok(sets);
    }
    write(data_dir, sets)
}

fn write(data_dir: &Path, sets: Vec<ModelSet>) -> Result<Vec<ModelSet>, ModelSetError> {
    let file = ModelSetsFile { sets };
    crate::json_file::save(&path(data_dir), WHAT, &file)?;
    Ok(file.sets)
}

/// The set as it would be saved — a trimmed name of 1 to [`MAX_NAME_CHARS`]
/// characters, 1 to [`MAX_TARGETS`] `provider/model` ids, no conversations — or what to
/// fix. [`save`] checks this itself; callers may check first, before touching the disk.
pub fn checked(mut set: ModelSet) -> Result<ModelSet, ModelSetError> {
    let invalid = |m: String| Err(ModelSetError::Invalid(m));
    set.name = set.name.trim().to_owned();
    let len = set.name.chars().count();
    if len == 0 {
        return invalid("give the model set a name".into());
    }
    if len > MAX_NAME_CHARS {
        return invalid(format!(
            "a model set's name takes at most {MAX_NAME_CHARS} characters, this one has {len}"
        ));
    }
    if set.targets.is_empty() {
        return invalid("a model set needs at least one model".into());
    }
    if set.targets.len() > MAX_TARGETS {
        return invalid(format!(
            "a model set takes at most {MAX_TARGETS} models, this one has {}",
            set.targets.len()
        ));
    }
    for t in &mut set.targets {
        t.model = t.model.trim().to_owned();
        if let Err(e) = ModelId::parse(&t.model) {
            return invalid(e.to_string());
        }
        t.messages = None;
    }
    Ok(set)
}

fn same_name(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// By name, ignoring case (then by case, so the order is total).
fn sorted(mut sets: Vec<ModelSet>) -> Vec<ModelSet> {
    sets.sort_by(|a, b| (a.name.to_lowercase(), &a.name).cmp(&(b.name.to_lowercase(), &b.name)));
    sets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::Message;

    fn set(name: &str, models: &[&str]) -> ModelSet {
        ModelSet {
            name: name.into(),
            targets: models.iter().map(|m| Target::new(*m)).collect(),
        }
    }

    #[test]
    fn saved_sets_come_back_sorted_by_name_without_conversations() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_empty());
        let mut cheap = set(
            "  cheap ones ",
            &["openai/gpt-4o-mini", "gemini/gemini-2.5-flash"],
        );
        cheap.targets[0].params.temperature = Some(0.2);
        cheap.targets[0].system = Some("be terse".into());
        cheap.targets[1].messages = Some(vec![Message::user("not saved")]);
        save(dir.path(), cheap).unwrap();
        let all = save(dir.path(), set("Best", &["anthropic/claude-sonnet-4-5"])).unwrap();
        assert_eq!(
            all.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["Best", "cheap ones"]
        );
        let back = load(dir.path()).unwrap();
        assert_eq!(back, all);
        let cheap = &back[1];
        assert_eq!(cheap.targets[0].params.temperature, Some(0.2));
        assert_eq!(cheap.targets[0].system.as_deref(), Some("be terse"));
        assert_eq!(cheap.targets[1].messages, None);
        let raw = std::fs::read_to_string(path(dir.path())).unwrap();
        assert!(!raw.contains("not saved"), "{raw}");
    }

    #[test]
    fn a_name_in_another_case_replaces_the_set_and_delete_ignores_case() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), set("Fast", &["groq/llama"])).unwrap();
        let all = save(dir.path(), set("FAST", &["openai/gpt-4o"])).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].name, "FAST");
        assert_eq!(all[0].targets[0].model, "openai/gpt-4o");
        assert_eq!(
            find(dir.path(), " fast ").unwrap().map(|s| s.name),
            Some("FAST".to_owned())
        );
        assert!(delete(dir.path(), "nope").unwrap().len() == 1);
        assert!(delete(dir.path(), "fast").unwrap().is_empty());
        assert!(load(dir.path()).unwrap().is_empty());
    }

    #[test]
    fn bad_names_and_models_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let refused = |s: ModelSet| match save(dir.path(), s) {
            Err(ModelSetError::Invalid(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(set("   ", &["a/b"])), "give the model set a name");
        assert!(refused(set(&"x".repeat(61), &["a/b"])).contains("at most 60"));
        assert!(save(dir.path(), set(&"é".repeat(60), &["a/b"])).is_ok());
        assert!(refused(set("none", &[])).contains("at least one"));
        assert!(refused(set("nine", &["a/b"; 9])).contains("at most 8"));
        assert!(refused(set("bad id", &["gpt-4o"])).contains("provider/model"));
        assert_eq!(load(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), "{oops").unwrap();
        let err = save(dir.path(), set("a", &["a/b"])).unwrap_err();
        assert!(matches!(err, ModelSetError::File(_)));
        assert!(err.to_string().contains("model_sets.json"), "{err}");
        assert_eq!(std::fs::read_to_string(path(dir.path())).unwrap(), "{oops");
    }
}
