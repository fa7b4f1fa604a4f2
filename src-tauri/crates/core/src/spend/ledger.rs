//! The ledger's one writer: a thread that appends records handed to it over a channel,
//! so a run's events never wait on the disk, and that also answers the totals — in
//! order, so totals asked for after an answer's summary was handed over include it.

use std::path::PathBuf;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::{append, read, SpendError, SpendRecord, SpendTotals};

enum Job {
    Record(Vec<SpendRecord>),
    Totals(oneshot::Sender<Result<SpendTotals, SpendError>>),
}

/// Handle to the writer thread; the thread ends when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct SpendLedger {
    jobs: mpsc::Sender<Job>,
}

impl SpendLedger {
    /// Starts the writer for `data_dir`'s ledger. A record that cannot be written is
    /// handed to `on_error` (the app logs it); the run it came from goes on.
    pub fn start(
        data_dir: PathBuf,
        on_error: impl Fn(SpendError) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("spend-ledger".into())
            .spawn(move || {
                for job in rx {
                    match job {
                        Job::Record(records) => {
                            if let Err(e) = append(&data_dir, &records) {
                                on_error(e);
                            }
                        }
                        Job::Totals(reply) => {
                            let totals =
                                read(&data_dir).map(|l| SpendTotals::of(&l, &chrono::Local::now()));
                            // The asker may have gone away; nothing to do then.
                            let _ = reply.send(totals);
                        }
                    }
                }
            })?;
        Ok(Self { jobs })
    }

    /// Queues `records` for writing; returns at once.
    pub fn record(&self, records: Vec<SpendRecord>) {
        if records.is_empty() {
            return;
        }
        // Fails only when the thread is gone, which the next `totals` reports.
        let _ = self.jobs.send(Job::Record(records));
    }

    /// Today's, this month's and each model's spend, local time, including every
    /// record queued before this call.
    pub async fn totals(&self) -> Result<SpendTotals, SpendError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Totals(tx))
            .map_err(|_| SpendError::Stopped)?;
        rx.await.map_err(|_| SpendError::Stopped)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prices::answer_cost::CostSource;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn totals_include_every_record_handed_over_before() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = SpendLedger::start(dir.path().to_owned(), |e| panic!("{e}")).unwrap();
        for _ in 0..50 {
            ledger.record(vec![SpendRecord {
                at: chrono::Utc::now(),
                model: "openai/gpt-4o".into(),
                usd: Some("0.001".parse().unwrap()),
                source: CostSource::Computed,
            }]);
        }
        let t = ledger.totals().await.unwrap();
        assert_eq!(t.today_usd.to_string(), "0.05");
        assert_eq!(t.per_model[0].answers, 50);
    }

    #[tokio::test]
    async fn a_write_that_fails_is_reported_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        // The "data folder" is a file: nothing can be created in it.
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, "").unwrap();
        let errors = Arc::new(Mutex::new(Vec::new()));
        let seen = errors.clone();
        let ledger =
            SpendLedger::start(file, move |e| seen.lock().unwrap().push(e.to_string())).unwrap();
        ledger.record(vec![SpendRecord {
            at: chrono::Utc::now(),
            model: "a/b".into(),
            usd: None,
            source: CostSource::Unpriced,
        }]);
        // Reading a ledger inside a file fails too, and says where.
        let err = ledger.totals().await.unwrap_err();
        assert!(err.to_string().contains("not-a-folder"), "{err}");
        assert_eq!(errors.lock().unwrap().len(), 1);
    }
}
