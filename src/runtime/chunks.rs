//! The transcript is shown in chunks of [`CHUNK`] entries, each its own signal, so a new
//! or changed message re-renders one chunk and not the whole list.

/// Entries per chunk: small enough that re-rendering one is cheap, large enough that
/// the list of chunks stays short.
pub const CHUNK: usize = 64;

/// The chunks holding the entries at `changed` (ascending, as the core reports them),
/// once each.
pub fn changed_chunks(changed: &[usize]) -> Vec<usize> {
    let mut chunks: Vec<usize> = changed.iter().map(|i| i / CHUNK).collect();
    chunks.dedup();
    chunks
}

/// The range of entry indices that chunk `chunk` holds in a transcript of `len`.
pub fn chunk_range(chunk: usize, len: usize) -> std::ops::Range<usize> {
    let start = (chunk * CHUNK).min(len);
    start..((chunk + 1) * CHUNK).min(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_entries_name_their_chunks_once() {
        assert_eq!(changed_chunks(&[]), Vec::<usize>::new());
        assert_eq!(changed_chunks(&[0, 1, 63]), [0]);
        assert_eq!(changed_chunks(&[5, 64, 65, 200]), [0, 1, 3]);
    }

    #[test]
    fn the_last_chunk_is_as_long_as_the_transcript() {
        assert_eq!(chunk_range(0, 10), 0..10);
        assert_eq!(chunk_range(1, 130), 64..128);
        assert_eq!(chunk_range(2, 130), 128..130);
        assert_eq!(chunk_range(3, 130), 130..130);
    }
}
