//! Saving `switchboard compare`'s run to the history as it streams. Saving never stops
//! a comparison: when the history cannot be used, a warning says why and the answers
//! still come. Also loads a saved run for `switchboard compare --rerun`.

use switchboard_core::chat::{ChatRequest, Message, Params, Target};
use switchboard_core::history::{
    History, NewRun, ResponseRecord, RunDetail, RunRecorder, RunSource,
};
use switchboard_core::CompareRequest;

use super::open::hints;
use super::Failure;

/// The history to save into, or `None` with a warning saying why not.
pub fn open() -> Option<History> {
    let dir = match switchboard_core::paths::data_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            return None;
        }
    };
    match History::open(&dir) {
        Ok(h) => Some(h),
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            for h in hints(&e) {
                eprintln!("  {h}");
            }
            None
        }
    }
}

/// The run as it will be saved; taken before the runner consumes the request.
pub fn new_run(req: &CompareRequest) -> NewRun {
    NewRun::from_compare(req, RunSource::Cli)
}

/// Saves the run (with one `streaming` answer per model) and returns where its events
/// go, or `None` with a warning.
pub async fn begin(history: Option<&History>, run: NewRun) -> Option<RunRecorder> {
    match history?.begin_run(run).await {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("warning: this run will not be saved to the history: {e}");
            None
        }
    }
}

/// After the run: waits until everything is on disk, and says so if some of it could
/// not be written (a full disk, a read-only folder). Blocking: call it off the executor.
pub fn finish(history: &History) {
    let error = match history.flush() {
        Err(e) => Some(e.to_string()),
        Ok(()) => history.take_write_error(),
    };
    if let Some(e) = error {
        eprintln!("warning: the history could not save all of this run: {e}");
    }
}

/// The saved run `id`, to send again (`switchboard compare --rerun`), and the history
/// it came from (the new run is saved there too). Unlike saving, re-running needs the
/// history: an unknown run or a history that cannot be opened is an error.
pub fn rerun(id: i64) -> Result<(History, RunDetail), Failure> {
    let history = super::open::open()?;
    let Some(run) = history.run(id)? else {
        let mut f = Failure::new(format!("no run {id} in the history to re-run"));
        f.hints
            .push("`switchboard history list` shows the saved runs and their ids".into());
        return Err(f);
    };
    if run.responses.is_empty() {
        return Err(Failure::new(format!(
            "run {id} has no models to re-run: it was saved without answers"
        )));
    }
    Ok((history, run))
}

/// What the saved run sent, as a comparison: its system prompt and prompt, and one
/// target per answer, in column order, with the model, params, system prompt and whole
/// conversation that answer was sent. The shared params stay default: each target's
/// saved params already hold them.
pub fn rerun_request(run: &RunDetail) -> CompareRequest {
    let mut responses: Vec<&ResponseRecord> = run.responses.iter().collect();
    responses.sort_by_key(|r| r.position);
    let targets = responses
        .into_iter()
        .map(|r| Target {
            model: r.model.clone(),
            params: r.params.clone(),
            // The request's own system prompt when it is what this target was sent;
            // otherwise the target's, where a blank one means "none".
            system: if r.system == run.system {
                None
            } else {
                Some(r.system.clone().unwrap_or_default())
            },
            messages: if r.messages.is_empty() {
                None
            } else {
                Some(r.messages.clone())
            },
        })
        .collect();
    CompareRequest {
        request: ChatRequest {
            system: run.system.clone(),
            messages: vec![Message::user(run.prompt.clone())],
            params: Params::default(),
        },
        targets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn response(position: u32, model: &str, system: Option<&str>, messages: Value) -> Value {
        serde_json::json!({
            "id": position + 10, "position": position, "model": model,
            "params": Params { seed: Some(i64::from(position)), ..Params::default() },
            "system": system, "messages": messages, "text": "", "reasoning": "",
            "status": "ok", "winner": false,
        })
    }

    /// Each target sends exactly what its answer was sent: the shared system prompt, a
    /// column's own, or none for a column that dropped the shared one.
    #[test]
    fn a_rerun_sends_each_target_what_it_was_sent() {
        let said = serde_json::json!([{"role": "user", "content": "hi"}]);
        let own = serde_json::json!([
            {"role": "user", "content": "earlier"},
            {"role": "assistant", "content": "yes"},
            {"role": "user", "content": "hi"}
        ]);
        let run: RunDetail = serde_json::from_value(serde_json::json!({
            "summary": {
                "id": 1, "created_at": "2026-11-21T10:00:00Z", "source": "app",
                "prompt": "hi", "models": [], "unpriced": 0, "starred": false,
                "tags": [], "interrupted": 0, "streaming": 0,
            },
            "prompt": "hi", "system": "shared",
            // Out of order: a re-run follows the positions.
            "responses": [
                response(2, "c/own", Some("own"), said.clone()),
                response(0, "a/shared", Some("shared"), said.clone()),
                response(1, "b/none", None, own.clone()),
            ],
        }))
        .unwrap();
        let req = rerun_request(&run);
        let models: Vec<&str> = req.targets.iter().map(|t| t.model.as_str()).collect();
        assert_eq!(models, ["a/shared", "b/none", "c/own"]);
        let sent: Vec<(Option<String>, Value)> = req
            .targets
            .iter()
            .map(|t| {
                let eff = t.request_for(&req.request);
                (
                    eff.system.clone(),
                    serde_json::to_value(&eff.messages).unwrap(),
                )
            })
            .collect();
        assert_eq!(sent[0], (Some("shared".into()), said.clone()));
        assert_eq!(sent[1], (None, own));
        assert_eq!(sent[2], (Some("own".into()), said));
        assert_eq!(req.targets[1].params.seed, Some(1));
        assert_eq!(req.request.params, Params::default());
        // Saved again, it is the same run.
        let new = new_run(&req);
        assert_eq!(new.prompt, "hi");
        assert_eq!(new.system.as_deref(), Some("shared"));
        for (t, r) in new.targets.iter().zip([1, 2, 0].map(|i| &run.responses[i])) {
            assert_eq!(
                (&t.model, &t.params, &t.system),
                (&r.model, &r.params, &r.system)
            );
            assert_eq!(t.messages, r.messages);
        }
    }
}
