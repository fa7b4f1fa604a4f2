//! Run events in batches for a UI: a fast model sends hundreds of deltas a second, and
//! eight of them at once would flood the webview with one IPC message per token. The
//! events that arrive within one frame go out together, adjacent text of the same
//! target merged into one delta, so the UI paints once per frame whatever the rate.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::runner::{RunEvent, RunEventKind};

/// One display frame at 60 Hz: the longest a delta waits before it is sent.
pub const FRAME: Duration = Duration::from_millis(16);

/// Appends `ev`, merged into the same target's last event in the batch when both are
/// text deltas (or both reasoning). Each target's events keep their order.
pub fn push_coalesced(batch: &mut Vec<RunEvent>, ev: RunEvent) {
    if let Some(last) = batch.iter_mut().rev().find(|e| e.target == ev.target) {
        match (&mut last.event, &ev.event) {
            (RunEventKind::Delta { text }, RunEventKind::Delta { text: more })
            | (RunEventKind::Reasoning { text }, RunEventKind::Reasoning { text: more }) => {
                text.push_str(more);
                return;
            }
            _ => {}
        }
    }
    batch.push(ev);
}

/// Forwards every event from `rx` to `send` in batches of at most one `frame`, until
/// the run ends (the channel closes) or `send` returns false (nobody is listening any
/// more; the caller then cancels the run, and may drain `rx` for the summaries still
/// to come). Returns whether everything was delivered.
pub async fn forward_batched<F>(
    rx: &mut mpsc::UnboundedReceiver<RunEvent>,
    frame: Duration,
    mut send: F,
) -> bool
where
    F: FnMut(Vec<RunEvent>) -> bool,
{
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + frame;
        let mut open = true;
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(ev) => push_coalesced(&mut batch, ev),
                    None => {
                        open = false;
                        break;
                    }
                },
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        if !send(batch) {
            return false;
        }
        if !open {
            break;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(target: u32, text: &str) -> RunEvent {
        RunEvent {
            target,
            event: RunEventKind::Delta { text: text.into() },
        }
    }

    fn reasoning(target: u32, text: &str) -> RunEvent {
        RunEvent {
            target,
            event: RunEventKind::Reasoning { text: text.into() },
        }
    }

    #[test]
    fn adjacent_text_of_a_target_merges_and_order_per_target_holds() {
        let mut b = Vec::new();
        for ev in [
            delta(0, "Hel"),
            delta(1, "Bon"),
            delta(0, "lo"),
            reasoning(1, "think"),
            delta(1, "jour"),
            reasoning(1, "ing"),
            delta(0, "!"),
        ] {
            push_coalesced(&mut b, ev);
        }
        assert_eq!(
            b,
            [
                delta(0, "Hello!"),
                delta(1, "Bon"),
                reasoning(1, "think"),
                delta(1, "jour"),
                reasoning(1, "ing"),
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_out_as_one_batch_and_the_end_flushes() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for i in 0..200 {
            tx.send(delta(i % 2, "x")).unwrap();
        }
        drop(tx);
        let mut batches = Vec::new();
        let delivered = forward_batched(&mut rx, FRAME, |b| {
            batches.push(b);
            true
        })
        .await;
        assert!(delivered);
        assert_eq!(
            batches,
            [vec![delta(0, &"x".repeat(100)), delta(1, &"x".repeat(100))]]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn events_a_frame_apart_are_separate_batches_and_a_gone_listener_stops() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let feeder = tokio::spawn(async move {
            for text in ["a", "b", "c"] {
                tx.send(delta(0, text)).unwrap();
                tokio::time::sleep(FRAME * 2).await;
            }
        });
        let mut seen = Vec::new();
        let delivered = forward_batched(&mut rx, FRAME, |b| {
            seen.push(b);
            seen.len() < 2
        })
        .await;
        assert!(!delivered, "the second send reported nobody listening");
        assert_eq!(seen, [vec![delta(0, "a")], vec![delta(0, "b")]]);
        feeder.abort();
    }
}
