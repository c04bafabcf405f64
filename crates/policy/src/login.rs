//! Login verdicts. (Stub: signatures are the contract.)
use crate::types::*;

pub fn check_pre_login(_req: &PreLoginRequest) -> LoginVerdict {
    LoginVerdict::Allow(AllowLogin::default())
}

pub fn check_login(_req: &LoginRequest) -> LoginVerdict {
    LoginVerdict::Allow(AllowLogin::default())
}
