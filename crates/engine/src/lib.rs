//! Session Warden's engine host: loads the precompiled policy component with
//! wasmtime and answers JSON requests, either once (`call`, for PHP's `proc_open`)
//! or as a daemon on a unix socket (`serve`).
//!
//! The shipped build is runtime-only (no compiler): it can only load a precompiled
//! artifact, which is native code, so the artifact's hash is checked before it is
//! loaded (see [`artifact`]).

pub mod artifact;
pub mod daemon;
pub mod error;
pub mod once;
pub mod runtime;

pub use error::EngineError;

/// Typed bindings of world `engine` for the host side.
pub mod bindings {
    wasmtime::component::bindgen!({
        world: "engine",
        path: "../../wit",
    });
}

/// Wasmtime version this host is pinned to (`=48.0.8` in Cargo.toml).
pub const WASMTIME_VERSION: &str = "48.0.8";

/// Target the artifact is compiled for. A named triple (instead of the host's own
/// CPU) keeps the code to baseline x86-64, so the artifact runs on any x86-64 CPU.
pub const ARTIFACT_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The engine configuration. It must be identical when the artifact is compiled and
/// when it is loaded: wasmtime refuses artifacts made with different settings, and
/// fuel metering is compiled into the code.
pub fn config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.consume_fuel(true);
    // The address map only serves trap backtraces with wasm offsets; without it
    // the artifact is ~10% smaller, and every one-shot call hashes all of it.
    config.generate_address_map(false);
    // No `.eh_frame` for wasm code: it only helps native unwinders and profilers
    // walk through wasm frames (wasmtime's own traps and backtraces do not use
    // it), the guest has no imports so no host code runs under a wasm frame, and
    // without it the artifact is smaller and loading skips registering one
    // unwind entry per function.
    config.native_unwind_info(false);
    // Artifacts are loaded from the mapping their hash was checked on (`artifact::load`).
    config.with_custom_code_memory(Some(std::sync::Arc::new(artifact::CodeMapping)));
    config
}

/// The daemon's configuration: [`config`] plus a pooling allocator.
///
/// Every request gets a fresh instance; with the default allocator that means
/// mapping a new linear memory and faulting its pages in each time. The pool
/// keeps memory slots mapped and the first `keep_resident` bytes resident
/// between requests (reset by copying instead of unmapping), which is what
/// makes a fresh instance per request cheap. Allocation strategy is not part of
/// the artifact, so the same artifact loads under both configurations.
pub fn daemon_config(max_instances: u32, max_memory: usize) -> wasmtime::Config {
    daemon_config_keep(max_instances, max_memory, KEEP_RESIDENT)
}

/// [`daemon_config`] with an explicit resident size (for measuring).
pub fn daemon_config_keep(max_instances: u32, max_memory: usize, keep_resident: usize) -> wasmtime::Config {
    let mut config = config();
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(max_instances)
        .total_core_instances(max_instances.saturating_mul(4))
        .total_memories(max_instances)
        .total_tables(max_instances.saturating_mul(4))
        .max_memory_size(max_memory)
        .linear_memory_keep_resident(keep_resident)
        .table_keep_resident(64 * 1024)
        // Linux 6.7+: reset only the pages a request dirtied (falls back to
        // memset/madvise elsewhere).
        .pagemap_scan(wasmtime::Enabled::Auto);
    config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    config
}

/// Bytes of each pooled linear memory kept resident between requests: enough for
/// the stack and the heap a typical decision touches.
pub const KEEP_RESIDENT: usize = 4 << 20;

/// Hex BLAKE3 (256-bit) of some bytes: the hash the engine checks its artifact
/// against (the same digest `b3sum` prints).
///
/// A large input is hashed on two threads: BLAKE3 is a tree, so the halves of
/// the root (and of its left subtree) are independent subtrees whose chaining
/// values are merged at the end, giving exactly `blake3::hash(bytes)` (a test
/// checks this on many lengths). A one-shot `call` hashes the multi-MB artifact
/// every time, so this takes a few hundred µs off when a second core is free.
pub fn blake3_hex(bytes: &[u8]) -> String {
    blake3_parallel(bytes, parallel_depth()).to_hex().to_string()
}

/// Below this, one thread hashes faster than starting another.
const PARALLEL_MIN: usize = 1 << 20;

fn parallel_depth() -> u32 {
    // The CPUs this process may run on, without `available_parallelism`'s reading
    // of cgroup files (about twenty system calls on every one-shot call).
    // SAFETY: `set` is a plain bit set the kernel fills; CPU_COUNT only reads it.
    let cpus = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            libc::CPU_COUNT(&set)
        } else {
            1
        }
    };
    // One level splits the work in two, two levels in four: more threads than
    // CPUs only adds thread start-ups.
    match cpus {
        ..=1 => 0,
        2..=3 => 1,
        _ => 2,
    }
}

/// `blake3::hash`, splitting subtrees over scoped threads up to `depth` levels.
pub fn blake3_parallel(bytes: &[u8], depth: u32) -> blake3::Hash {
    use blake3::hazmat::{left_subtree_len, merge_subtrees_root, Mode};
    if depth == 0 || bytes.len() < PARALLEL_MIN {
        return blake3::hash(bytes);
    }
    let (left, right) = bytes.split_at(left_subtree_len(bytes.len() as u64) as usize);
    let (l, r) = std::thread::scope(|s| {
        let right_cv = s.spawn(|| subtree_cv(right, left.len() as u64, depth - 1));
        let left_cv = subtree_cv(left, 0, depth - 1);
        (left_cv, right_cv.join())
    });
    match r {
        Ok(r) => merge_subtrees_root(&l, &r, Mode::Hash),
        // The helper thread could not finish (it cannot panic in practice):
        // hash again on this thread rather than fail.
        Err(_) => blake3::hash(bytes),
    }
}

/// Chaining value of the (non-root) subtree `bytes` starting at `offset`.
fn subtree_cv(bytes: &[u8], offset: u64, depth: u32) -> blake3::hazmat::ChainingValue {
    use blake3::hazmat::{left_subtree_len, merge_subtrees_non_root, HasherExt, Mode};
    let whole = || blake3::Hasher::new().set_input_offset(offset).update(bytes).finalize_non_root();
    if depth == 0 || bytes.len() < PARALLEL_MIN || bytes.len() <= blake3::CHUNK_LEN {
        return whole();
    }
    let (left, right) = bytes.split_at(left_subtree_len(bytes.len() as u64) as usize);
    let r = std::thread::scope(|s| {
        let right_cv = s.spawn(|| subtree_cv(right, offset + left.len() as u64, depth - 1));
        let left_cv = subtree_cv(left, offset, depth - 1);
        right_cv.join().map(|r| (left_cv, r))
    });
    match r {
        Ok((l, r)) => merge_subtrees_non_root(&l, &r, Mode::Hash),
        Err(_) => whole(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parallel_blake3_is_blake3() {
        let mut data = vec![0u8; (5 << 20) + 12_345];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for b in &mut data {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let k = blake3::CHUNK_LEN;
        for len in [0, 1, k, k + 1, 1 << 20, (1 << 20) + 1, (1 << 20) + k, 3 << 20, (4 << 20) - 1, 4 << 20, (4 << 20) + 1, 4_654_336, data.len()] {
            for depth in 0..4 {
                assert_eq!(super::blake3_parallel(&data[..len], depth), blake3::hash(&data[..len]), "len {len} depth {depth}");
            }
        }
    }
}
