//! The zlib streams of SPDY/3 header blocks (one per direction for the whole connection,
//! primed with the SPDY/3 header dictionary, flushed after every block).
//!
//! Reading: an inflater (RFC 1950/1951) that keeps its 32 KiB window between blocks. A
//! sync-flushed block always ends on a deflate block boundary, so each frame's bytes are
//! decoded whole. Writing: stored (uncompressed) deflate blocks, which need no dictionary, in
//! a stream that announces none, which zlib readers accept, each followed by a sync flush.

/// The SPDY/3 header dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1, a protocol
/// constant; the same bytes as moby/spdystream `spdy/dictionary.go`).
pub const DICTIONARY: &[u8] = include_bytes!("spdy3.dict");

const WINDOW: usize = 32 * 1024;

pub struct Inflater {
    /// The last bytes produced (the dictionary at first), for back-references.
    window: Vec<u8>,
    header_read: bool,
}

struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    bit: u32,
    bits: u32,
}

impl Bits<'_> {
    fn need(&mut self, n: u32) -> Result<u32, String> {
        while self.bits < n {
            let byte = *self
                .data
                .get(self.at)
                .ok_or("the compressed block is truncated")?;
            self.at += 1;
            self.bit |= u32::from(byte) << self.bits;
            self.bits += 8;
        }
        let value = self.bit & ((1u32 << n) - 1);
        self.bit >>= n;
        self.bits -= n;
        Ok(value)
    }

    fn align(&mut self) {
        self.bit = 0;
        self.bits = 0;
    }
}

/// A canonical Huffman code: how many codes of each length, and the symbols in order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Result<Huffman, String> {
        let mut counts = [0u16; 16];
        for &l in lengths {
            counts[l as usize] += 1;
        }
        counts[0] = 0;
        let mut offsets = [0u16; 16];
        for len in 1..16 {
            offsets[len] = offsets[len - 1] + counts[len - 1];
        }
        let mut symbols = vec![0u16; lengths.len()];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbols[offsets[l as usize] as usize] = symbol as u16;
                offsets[l as usize] += 1;
            }
        }
        Ok(Huffman { counts, symbols })
    }

    fn decode(&self, bits: &mut Bits<'_>) -> Result<u16, String> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= bits.need(1)? as i32;
            let count = i32::from(self.counts[len]);
            if code - count < first {
                return Ok(self.symbols[(index + (code - first)) as usize]);
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        Err("an invalid Huffman code".into())
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order code-length codes are sent in (RFC 1951 §3.2.7).
const CODE_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

impl Default for Inflater {
    fn default() -> Self {
        Inflater {
            window: DICTIONARY.to_vec(),
            header_read: false,
        }
    }
}

impl Inflater {
    /// The bytes of one flushed header block.
    pub fn inflate(&mut self, data: &[u8]) -> Result<Vec<u8>, String> {
        let mut data = data;
        if !self.header_read {
            let [cmf, flg, rest @ ..] = data else {
                return Err("the zlib header is truncated".into());
            };
            if cmf & 0x0f != 8 || (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 != 0 {
                return Err("not a zlib stream".into());
            }
            data = if flg & 0x20 != 0 {
                rest.get(4..).ok_or("no dictionary id")?
            } else {
                rest
            };
            self.header_read = true;
        }
        let mut bits = Bits {
            data,
            at: 0,
            bit: 0,
            bits: 0,
        };
        let start = self.window.len();
        while bits.at < data.len() || bits.bits >= 3 {
            let last = bits.need(1)? == 1;
            match bits.need(2)? {
                0 => self.stored(&mut bits)?,
                1 => {
                    let mut lengths = [0u8; 288];
                    lengths[..144].fill(8);
                    lengths[144..256].fill(9);
                    lengths[256..280].fill(7);
                    lengths[280..].fill(8);
                    let codes = (Huffman::new(&lengths)?, Huffman::new(&[5u8; 30])?);
                    self.codes(&mut bits, &codes)?;
                }
                2 => {
                    let codes = dynamic(&mut bits)?;
                    self.codes(&mut bits, &codes)?;
                }
                _ => return Err("an invalid deflate block type".into()),
            }
            if last {
                break;
            }
            // What is left after the sync flush's padding is only the next frame's.
            if bits.at >= data.len() && bits.bits < 8 && bits.bit == 0 {
                break;
            }
        }
        let out = self.window[start..].to_vec();
        if self.window.len() > WINDOW {
            self.window.drain(..self.window.len() - WINDOW);
        }
        Ok(out)
    }

    fn stored(&mut self, bits: &mut Bits<'_>) -> Result<(), String> {
        bits.align();
        let header = bits
            .data
            .get(bits.at..bits.at + 4)
            .ok_or("a stored block is truncated")?;
        let len = usize::from(u16::from_le_bytes([header[0], header[1]]));
        if u16::from_le_bytes([header[2], header[3]]) != !(len as u16) {
            return Err("a stored block's length check fails".into());
        }
        bits.at += 4;
        let body = bits
            .data
            .get(bits.at..bits.at + len)
            .ok_or("a stored block is truncated")?;
        self.window.extend_from_slice(body);
        bits.at += len;
        Ok(())
    }

    fn codes(
        &mut self,
        bits: &mut Bits<'_>,
        (lit, dist): &(Huffman, Huffman),
    ) -> Result<(), String> {
        loop {
            let symbol = lit.decode(bits)? as usize;
            match symbol {
                0..=255 => self.window.push(symbol as u8),
                256 => return Ok(()),
                257..=285 => {
                    let i = symbol - 257;
                    let len =
                        LENGTH_BASE[i] as usize + bits.need(u32::from(LENGTH_EXTRA[i]))? as usize;
                    let d = dist.decode(bits)? as usize;
                    if d >= 30 {
                        return Err("an invalid distance code".into());
                    }
                    let back =
                        DIST_BASE[d] as usize + bits.need(u32::from(DIST_EXTRA[d]))? as usize;
                    if back > self.window.len() {
                        return Err("a distance reaches before the start of the stream".into());
                    }
                    for _ in 0..len {
                        let byte = self.window[self.window.len() - back];
                        self.window.push(byte);
                    }
                }
                _ => return Err("an invalid literal/length code".into()),
            }
        }
    }
}

/// A dynamic block's two codes, read from its header.
fn dynamic(bits: &mut Bits<'_>) -> Result<(Huffman, Huffman), String> {
    let literals = bits.need(5)? as usize + 257;
    let distances = bits.need(5)? as usize + 1;
    let code_lengths = bits.need(4)? as usize + 4;
    let mut order = [0u8; 19];
    for &i in CODE_ORDER.iter().take(code_lengths) {
        order[i] = bits.need(3)? as u8;
    }
    let lengths_code = Huffman::new(&order)?;
    let mut lengths = Vec::with_capacity(literals + distances);
    while lengths.len() < literals + distances {
        let symbol = lengths_code.decode(bits)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => (
                *lengths.last().ok_or("a repeat with nothing before it")?,
                3 + bits.need(2)?,
            ),
            17 => (0, 3 + bits.need(3)?),
            _ => (0, 11 + bits.need(7)?),
        };
        lengths.extend(std::iter::repeat_n(value, repeat as usize));
    }
    if lengths.len() > literals + distances {
        return Err("code lengths overrun the table".into());
    }
    Ok((
        Huffman::new(&lengths[..literals])?,
        Huffman::new(&lengths[literals..])?,
    ))
}

/// The writing half: stored blocks, so nothing needs compressing or a dictionary.
#[derive(Default)]
pub struct Deflater {
    header_written: bool,
}

impl Deflater {
    pub fn block(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 8);
        if !self.header_written {
            // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, check bits.
            out.extend_from_slice(&[0x78, 0x01]);
            self.header_written = true;
        }
        for chunk in data.chunks(u16::MAX as usize) {
            let len = chunk.len() as u16;
            // BFINAL 0, BTYPE 00, padded to the byte.
            out.push(0);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(!len).to_le_bytes());
            out.extend_from_slice(chunk);
        }
        // The sync flush's empty stored block: a reader (Go's flate) hands over what it has
        // only when it reaches the next block, which must be in this frame.
        out.extend_from_slice(&[0, 0, 0, 0xff, 0xff]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_is_spdy3s() {
        // adler32 of the SPDY/3 dictionary, as zlib announces it in a stream's header.
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in DICTIONARY {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
        assert_eq!((b << 16) | a, 0xe3c6_a7c2);
    }

    #[test]
    fn reads_blocks_compressed_with_the_dictionary_across_frames() {
        // Two header blocks from one zlib stream primed with the SPDY/3 dictionary and
        // sync-flushed after each, as Go's zlib writes them (made with Python's zlib:
        // compressobj(9, zdict=DICTIONARY), compress + flush(Z_SYNC_FLUSH) per block).
        let first = include_bytes!("testdata/headers-1.zlib");
        let second = include_bytes!("testdata/headers-2.zlib");
        let mut inflater = Inflater::default();
        let one = inflater.inflate(first).unwrap();
        let two = inflater.inflate(second).unwrap();
        let block = |kind: &[u8]| {
            let mut out = vec![0, 0, 0, 3];
            for (k, v) in [
                (&b"streamtype"[..], kind),
                (b"port", b"80"),
                (b"requestid", b"0"),
            ] {
                out.extend_from_slice(&(k.len() as u32).to_be_bytes());
                out.extend_from_slice(k);
                out.extend_from_slice(&(v.len() as u32).to_be_bytes());
                out.extend_from_slice(v);
            }
            out
        };
        assert_eq!(one, block(b"error"));
        assert_eq!(two, block(b"data"));
        assert!(
            Inflater::default()
                .inflate(&first[..first.len() - 4])
                .is_err()
        );
    }

    #[test]
    fn stored_blocks_read_back() {
        let mut deflater = Deflater::default();
        let mut inflater = Inflater::default();
        assert_eq!(
            inflater.inflate(&deflater.block(b"\0\0\0\0")).unwrap(),
            b"\0\0\0\0"
        );
        assert_eq!(inflater.inflate(&deflater.block(b"more")).unwrap(), b"more");
    }
}
