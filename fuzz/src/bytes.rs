//! A cursor that hands out fuzzer bytes as integers and byte strings, never
//! failing: past the end it yields zeros and empty slices.

pub struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }

    pub fn u8(&mut self) -> u8 {
        let byte = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    /// Up to 8 bytes, little-endian (missing high bytes are zero).
    pub fn u64(&mut self) -> u64 {
        let mut le = [0u8; 8];
        let slice = self.take(8);
        le[..slice.len()].copy_from_slice(slice);
        u64::from_le_bytes(le)
    }

    /// Up to `len` bytes.
    pub fn take(&mut self, len: usize) -> &'a [u8] {
        let start = self.at.min(self.data.len());
        let end = start.saturating_add(len).min(self.data.len());
        self.at = end;
        &self.data[start..end]
    }
}
