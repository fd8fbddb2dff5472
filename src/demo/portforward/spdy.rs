//! SPDY/3.1 framing, as much of it as kubectl's port-forward uses (moby/spdystream, which
//! client-go uses; `reference/k8s-writes.md` §9.2): SYN_STREAM in, SYN_REPLY out, DATA both
//! ways with FIN, RST_STREAM, PING echoed, GOAWAY. No flow control: spdystream has none.

use super::zlib::{Deflater, Inflater};

pub const SYN_STREAM: u16 = 1;
pub const SYN_REPLY: u16 = 2;
pub const RST_STREAM: u16 = 3;
pub const PING: u16 = 6;
pub const GOAWAY: u16 = 7;
pub const FIN: u8 = 0x01;

#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A stream the client opens, with its (decompressed) headers, lower-cased.
    SynStream {
        id: u32,
        headers: Vec<(String, String)>,
        fin: bool,
    },
    Data {
        id: u32,
        data: Vec<u8>,
        fin: bool,
    },
    Reset {
        id: u32,
    },
    Ping(Vec<u8>),
    GoAway,
    /// Frames the server has no use for (SETTINGS, WINDOW_UPDATE, HEADERS...).
    Other,
}

/// Split frames off the front of `buffer`; what is left is an incomplete frame.
pub fn take_frames(buffer: &mut Vec<u8>, inflater: &mut Inflater) -> Result<Vec<Frame>, String> {
    let mut frames = Vec::new();
    loop {
        if buffer.len() < 8 {
            return Ok(frames);
        }
        let length = u32::from_be_bytes([0, buffer[5], buffer[6], buffer[7]]) as usize;
        if buffer.len() < 8 + length {
            return Ok(frames);
        }
        let frame: Vec<u8> = buffer.drain(..8 + length).collect();
        let flags = frame[4];
        let payload = &frame[8..];
        let word = |at: usize| {
            payload
                .get(at..at + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x7fff_ffff)
                .ok_or_else(|| "a frame is too short".to_string())
        };
        if frame[0] & 0x80 == 0 {
            let id = u32::from_be_bytes([frame[0], frame[1], frame[2], frame[3]]);
            frames.push(Frame::Data {
                id,
                data: payload.to_vec(),
                fin: flags & FIN != 0,
            });
            continue;
        }
        let version = u16::from_be_bytes([frame[0] & 0x7f, frame[1]]);
        if version != 3 {
            return Err(format!("SPDY version {version} is not supported"));
        }
        frames.push(match u16::from_be_bytes([frame[2], frame[3]]) {
            SYN_STREAM => {
                let id = word(0)?;
                let block = inflater.inflate(payload.get(10..).unwrap_or_default())?;
                Frame::SynStream {
                    id,
                    headers: header_block(&block)?,
                    fin: flags & FIN != 0,
                }
            }
            RST_STREAM => Frame::Reset { id: word(0)? },
            PING => Frame::Ping(payload.to_vec()),
            GOAWAY => Frame::GoAway,
            _ => Frame::Other,
        });
    }
}

/// A header block: u32 count, then (u32 length, name, u32 length, value) pairs.
fn header_block(block: &[u8]) -> Result<Vec<(String, String)>, String> {
    let count = block
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or("a header block is truncated")?;
    let mut at = 4usize;
    let mut next = || -> Result<&[u8], String> {
        let len = block
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or("a header block is truncated")?;
        let bytes = block
            .get(at + 4..at + 4 + len)
            .ok_or("a header block is truncated")?;
        at += 4 + len;
        Ok(bytes)
    };
    let mut headers = Vec::new();
    for _ in 0..count {
        let name = String::from_utf8_lossy(next()?).to_ascii_lowercase();
        let value = String::from_utf8_lossy(next()?).into_owned();
        headers.push((name, value));
    }
    Ok(headers)
}

fn control(kind: u16, flags: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&(0x8003u16).to_be_bytes());
    out.extend_from_slice(&kind.to_be_bytes());
    out.push(flags);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(payload);
    out
}

/// The reply that accepts stream `id`, with no headers.
pub fn syn_reply(id: u32, deflater: &mut Deflater) -> Vec<u8> {
    let mut payload = id.to_be_bytes().to_vec();
    payload.extend(deflater.block(&0u32.to_be_bytes()));
    control(SYN_REPLY, 0, &payload)
}

pub fn data(id: u32, bytes: &[u8], fin: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + bytes.len());
    out.extend_from_slice(&(id & 0x7fff_ffff).to_be_bytes());
    out.push(if fin { FIN } else { 0 });
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(bytes);
    out
}

pub fn ping(payload: &[u8]) -> Vec<u8> {
    control(PING, 0, payload)
}

pub fn goaway() -> Vec<u8> {
    // Last good stream 0, status OK.
    control(GOAWAY, 0, &[0; 8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_from_a_stream_in_any_pieces() {
        let mut deflater = Deflater::default();
        let mut wire = data(3, b"hello", true);
        wire.extend(ping(&[0, 0, 0, 1]));
        wire.extend(syn_reply(5, &mut deflater));
        let mut inflater = Inflater::default();
        let mut buffer = wire[..7].to_vec();
        assert!(take_frames(&mut buffer, &mut inflater).unwrap().is_empty());
        buffer.extend_from_slice(&wire[7..]);
        let frames = take_frames(&mut buffer, &mut inflater).unwrap();
        assert_eq!(
            frames[..2],
            [
                Frame::Data {
                    id: 3,
                    data: b"hello".to_vec(),
                    fin: true
                },
                Frame::Ping(vec![0, 0, 0, 1]),
            ]
        );
        assert_eq!(
            frames[2],
            Frame::Other,
            "a SYN_REPLY is no news to a server"
        );
        assert!(buffer.is_empty());
    }
}
