//! The RPM header as rpm stores it in its database (a header blob without the lead and magic):
//!
//! ```text
//! il: u32 BE   number of index entries
//! dl: u32 BE   size of the data store
//! il × { tag: i32 BE, type: u32 BE, offset: i32 BE, count: u32 BE }
//! dl bytes of data: strings NUL-terminated, integers big-endian
//! ```
//!
//! Every offset and length is checked against the blob before it is used.

/// Tag numbers (rpm's `rpmtag.h`).
pub const TAG_NAME: i32 = 1000;
/// `VERSION`.
pub const TAG_VERSION: i32 = 1001;
/// `RELEASE`.
pub const TAG_RELEASE: i32 = 1002;
/// `EPOCH` (INT32).
pub const TAG_EPOCH: i32 = 1003;
/// `ARCH`.
pub const TAG_ARCH: i32 = 1022;
/// `SOURCERPM`.
pub const TAG_SOURCERPM: i32 = 1044;
/// `MODULARITYLABEL` (`name:stream:version:context`), on packages of a module stream.
pub const TAG_MODULARITYLABEL: i32 = 5096;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own sanity bounds (`hdrchkTags`, `hdrchkData`).
const MAX_ENTRIES: usize = 0x00ff_ffff;
const MAX_DATA: usize = 0x3fff_ffff;

/// A parsed header: its index and data store, borrowed from the blob.
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

#[derive(Clone, Copy)]
struct Entry {
    tag: i32,
    kind: u32,
    offset: usize,
    count: u32,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

impl<'a> Header<'a> {
    /// Reads the index of a header blob, checking its sizes.
    pub fn parse(blob: &'a [u8]) -> Result<Self, String> {
        let il = be32(blob, 0).ok_or("header shorter than 8 bytes")? as usize;
        let dl = be32(blob, 4).ok_or("header shorter than 8 bytes")? as usize;
        if il == 0 || il > MAX_ENTRIES {
            return Err(format!("header has {il} index entries"));
        }
        if dl > MAX_DATA {
            return Err(format!("header data store of {dl} bytes"));
        }
        let data_start = 8 + il * 16;
        let data = blob.get(data_start..data_start + dl).ok_or_else(|| {
            format!(
                "header of {} bytes is truncated: its index says {}",
                blob.len(),
                data_start + dl
            )
        })?;
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let at = 8 + i * 16;
            let field = |k: usize| be32(blob, at + 4 * k).ok_or("index entry out of bounds");
            let offset = field(2)? as i32;
            entries.push(Entry {
                tag: field(0)? as i32,
                kind: field(1)?,
                offset: usize::try_from(offset)
                    .map_err(|_| format!("negative data offset {offset}"))?,
                count: field(3)?,
            });
        }
        Ok(Self { entries, data })
    }

    fn entry(&self, tag: i32) -> Option<Entry> {
        self.entries.iter().copied().find(|e| e.tag == tag)
    }

    /// A string tag (the first string of an array or translation table). `Ok(None)` when absent.
    pub fn string(&self, tag: i32) -> Result<Option<&'a str>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if !matches!(e.kind, TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING) || e.count == 0 {
            return Err(format!(
                "tag {tag} has type {} and count {}, not a string",
                e.kind, e.count
            ));
        }
        let rest = self
            .data
            .get(e.offset..)
            .ok_or_else(|| format!("tag {tag}: offset {} is past the data store", e.offset))?;
        let end = rest
            .iter()
            .position(|&c| c == 0)
            .ok_or_else(|| format!("tag {tag}: string not terminated"))?;
        std::str::from_utf8(&rest[..end])
            .map(Some)
            .map_err(|_| format!("tag {tag}: string is not UTF-8"))
    }

    /// An INT32 tag's first value. `Ok(None)` when absent.
    pub fn int32(&self, tag: i32) -> Result<Option<u32>, String> {
        let Some(e) = self.entry(tag) else {
            return Ok(None);
        };
        if e.kind != TYPE_INT32 || e.count == 0 {
            return Err(format!(
                "tag {tag} has type {} and count {}, not an INT32",
                e.kind, e.count
            ));
        }
        be32(self.data, e.offset)
            .map(Some)
            .ok_or_else(|| format!("tag {tag}: offset {} is past the data store", e.offset))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a header blob from (tag, value) pairs: strings as STRING, numbers as INT32.
    pub(crate) fn blob(entries: &[(i32, Result<&str, u32>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, value) in entries {
            let (kind, bytes) = match value {
                Ok(s) => (TYPE_STRING, [s.as_bytes(), &[0]].concat()),
                Err(n) => {
                    while data.len() % 4 != 0 {
                        data.push(0);
                    }
                    (TYPE_INT32, n.to_be_bytes().to_vec())
                }
            };
            index.extend(tag.to_be_bytes());
            index.extend(kind.to_be_bytes());
            index.extend((data.len() as u32).to_be_bytes());
            index.extend(1u32.to_be_bytes());
            data.extend(bytes);
        }
        let mut out = Vec::new();
        out.extend((entries.len() as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn reads_strings_and_ints() {
        let b = blob(&[
            (TAG_NAME, Ok("bash")),
            (TAG_EPOCH, Err(2)),
            (TAG_VERSION, Ok("5.1")),
        ]);
        let h = Header::parse(&b).expect("valid");
        assert_eq!(h.string(TAG_NAME), Ok(Some("bash")));
        assert_eq!(h.string(TAG_VERSION), Ok(Some("5.1")));
        assert_eq!(h.int32(TAG_EPOCH), Ok(Some(2)));
        assert_eq!(h.string(TAG_ARCH), Ok(None));
        assert!(h.string(TAG_EPOCH).is_err());
    }

    #[test]
    fn damaged_headers_are_errors() {
        let b = blob(&[(TAG_NAME, Ok("bash"))]);
        assert!(Header::parse(&b[..b.len() - 1]).is_err());
        assert!(Header::parse(&[0, 0]).is_err());
        assert!(Header::parse(&[0xff; 64]).is_err());
        let mut unterminated = b.clone();
        let last = unterminated.len() - 1;
        unterminated[last] = b'x';
        assert!(Header::parse(&unterminated)
            .expect("index fine")
            .string(TAG_NAME)
            .is_err());
    }
}
