//! Client-IP resolution. (Stub: signature is the contract.)
use crate::types::*;

pub fn resolve(req: &ClientIpRequest) -> ClientIp {
    ClientIp { ip: req.remote_addr.clone(), source: IpSource::RemoteAddr, note: String::new() }
}
