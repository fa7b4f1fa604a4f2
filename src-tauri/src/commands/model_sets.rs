//! Named model sets: the playground's columns (models, params, system prompts) saved
//! under a name in `model_sets.json`, to load again later or from the CLI (`--set`).

use std::path::Path;

use switchboard_core::model_sets::{self, ModelSet};
use tauri::State;

use crate::error::IpcError;
use crate::state::AppState;

/// Every saved set, sorted by name.
#[tauri::command]
pub fn list_model_sets(state: State<'_, AppState>) -> Result<Vec<ModelSet>, IpcError> {
    Ok(model_sets::load(state.data_dir()?)?)
}

/// Saves `set` (replacing a set of the same name, any case); returns every set.
#[tauri::command]
pub fn save_model_set(
    state: State<'_, AppState>,
    set: ModelSet,
) -> Result<Vec<ModelSet>, IpcError> {
    let _one_edit_at_a_time = state.model_sets_lock();
    save(state.data_dir(), set)
}

/// Deletes the set called `name` (any case); returns the sets left.
#[tauri::command]
pub fn delete_model_set(
    state: State<'_, AppState>,
    name: String,
) -> Result<Vec<ModelSet>, IpcError> {
    let _one_edit_at_a_time = state.model_sets_lock();
    Ok(model_sets::delete(state.data_dir()?, &name)?)
}

/// Checks the set before the data folder, so a refused name is reported as such even
/// when there is no data folder.
pub fn save(data_dir: Result<&Path, IpcError>, set: ModelSet) -> Result<Vec<ModelSet>, IpcError> {
    let set = model_sets::checked(set)?;
    Ok(model_sets::save(data_dir?, set)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::IpcErrorKind;
    use switchboard_core::chat::Target;

    #[test]
    fn refused_names_are_invalid_input_and_file_problems_are_model_sets_errors() {
        let dir = tempfile::tempdir().unwrap();
        let set = |name: &str| ModelSet {
            name: name.into(),
            targets: vec![Target::new("openai/gpt-4o")],
        };
        let all = save(Ok(dir.path()), set("Mine")).unwrap();
        assert_eq!(all.len(), 1);
        let e = save(Ok(dir.path()), set(&"n".repeat(61))).unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::InvalidInput);
        let no_dir = || Err(IpcError::new(IpcErrorKind::DataDir, "no data folder"));
        assert_eq!(
            save(no_dir(), set(" ")).unwrap_err().kind,
            IpcErrorKind::InvalidInput
        );
        assert_eq!(
            save(no_dir(), set("ok")).unwrap_err().kind,
            IpcErrorKind::DataDir
        );
        let path = model_sets::path(dir.path());
        std::fs::write(&path, "[").unwrap();
        let e = save(Ok(dir.path()), set("Other")).unwrap_err();
        assert_eq!(e.kind, IpcErrorKind::ModelSets);
        assert!(
            e.message.contains(&path.display().to_string()),
            "{}",
            e.message
        );
    }
}
