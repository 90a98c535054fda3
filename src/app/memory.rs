//! The allocator settings the server starts with: glibc's malloc keeps freed memory in its
//! heap once one large block has come and gone, which is what held most of the server's
//! resident memory (docs/performance.md, "Memory under load").

/// Fixes glibc's mmap threshold at `threshold` bytes, so allocations of that size or more get
/// their own mapping and go back to the system when freed.
///
/// glibc starts at 128 KiB but raises the threshold to the size of any mapped block that is
/// freed, and the heap's trim threshold to twice that. One argon2id verification (about
/// 19 MiB, the first Basic request or the demo data's hashing) thus lets the heap keep ~38 MiB
/// it no longer uses and serve every later block under 19 MiB from the heap, where it stays.
/// Setting the threshold explicitly turns that adjustment off.
///
/// `None`, another C library, or `MALLOC_MMAP_THRESHOLD_` / `GLIBC_TUNABLES` set by the
/// operator leave the allocator as it is. Returns whether the threshold was set.
pub fn fix_mmap_threshold(threshold: Option<usize>) -> bool {
    let Some(threshold) = threshold else { return false };
    let operator_set = std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_some()
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|tunables| tunables.contains("mmap_threshold"));
    !operator_set && set_mmap_threshold(threshold)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn set_mmap_threshold(threshold: usize) -> bool {
    let Ok(threshold) = libc::c_int::try_from(threshold) else { return false };
    // SAFETY: mallopt only changes malloc's parameters, under malloc's own lock.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, threshold) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_mmap_threshold(_threshold: usize) -> bool {
    false
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    /// Bytes malloc holds in separate mappings (`hblkhd`).
    fn mapped_bytes() -> usize {
        // SAFETY: mallinfo2 only reads malloc's counters.
        unsafe { libc::mallinfo2() }.hblkhd
    }

    #[test]
    fn after_a_large_block_is_freed_a_medium_one_is_still_mapped() {
        assert!(fix_mmap_threshold(Some(128 * 1024)));
        // What an argon2id verification does: about 19 MiB taken and given back.
        drop(std::hint::black_box(vec![1u8; 20 * 1024 * 1024]));
        let before = mapped_bytes();
        let medium = std::hint::black_box(vec![1u8; 4 * 1024 * 1024]);
        let grown = mapped_bytes().saturating_sub(before);
        drop(medium);
        assert!(grown >= 4 * 1024 * 1024, "a 4 MiB block came from the heap ({grown} bytes mapped)");
    }

    #[test]
    fn none_leaves_the_allocator_alone() {
        assert!(!fix_mmap_threshold(None));
    }
}
