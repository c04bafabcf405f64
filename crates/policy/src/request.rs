//! Verdicts for existing sessions. (Stub: signatures are the contract.)
use crate::types::*;

pub fn check_request(req: &RequestCheck) -> RequestVerdict {
    RequestVerdict::Continue(ContinueSession {
        record_activity: false,
        new_flags: Vec::new(),
        valid: Validity { until: req.now, ip: req.ip.clone(), epoch: req.epoch, settings_version: req.settings.version },
    })
}

pub fn sweep(_req: &SweepRequest) -> Vec<Swept> {
    Vec::new()
}
