//! Short constant text (event names, `arg=` labels) appended without a
//! `memcpy` call: stored in whole 16-byte blocks and appended block by block
//! (fixed-size copies), then cut to its length.

#[derive(Debug, Clone)]
pub(crate) struct Padded {
    blocks: Box<[[u8; 16]]>,
    len: usize,
}

impl Padded {
    pub fn new(text: &[u8]) -> Self {
        let blocks = text
            .chunks(16)
            .map(|chunk| {
                let mut block = [0u8; 16];
                block[..chunk.len()].copy_from_slice(chunk);
                block
            })
            .collect();
        Self {
            blocks,
            len: text.len(),
        }
    }

    #[inline]
    pub fn append_to(&self, out: &mut Vec<u8>) {
        let end = out.len() + self.len;
        for block in self.blocks.iter() {
            out.extend_from_slice(block);
        }
        out.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_exactly_the_text() {
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut out = b"<".to_vec();
            Padded::new(&text).append_to(&mut out);
            out.push(b'>');
            assert_eq!(out, [&b"<"[..], &text, b">"].concat());
        }
    }
}
