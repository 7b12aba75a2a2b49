//! rpm's NDB backend (`Packages.db`, SUSE), a simple format of rpm's own (`lib/backend/ndb/rpmpkg.c`),
//! all integers little-endian:
//!
//! ```text
//! header (32 bytes)     magic "RpmP", version 0, generation, number of slot pages, 4 reserved words
//! slots  (16 bytes each) to the end of the slot pages (the header takes the first two slots):
//!                        magic "Slot", package index (0 = free), offset in 16-byte blocks, block count
//! blobs                  at each slot's offset: magic "BlbS", package index, checksum, length, then
//!                        the header blob (the same format as in the other backends)
//! ```

const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const HEADER_MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_MAGIC: &[u8; 4] = b"BlbS";

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let bytes = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// One package's header blob, or why it could not be had.
pub struct Record<'a> {
    /// The package index (rpm's record number).
    pub index: u32,
    /// The header blob.
    pub blob: Result<&'a [u8], String>,
}

/// Lists the header blobs of an NDB file. A damaged file header is an error; a damaged slot or blob
/// is reported in its record.
pub fn records(bytes: &[u8]) -> Result<Vec<Record<'_>>, String> {
    if bytes.get(..4) != Some(&HEADER_MAGIC[..]) {
        return Err("not an NDB database (no RpmP magic)".into());
    }
    let version = le32(bytes, 4).ok_or("NDB header truncated")?;
    if version != 0 {
        return Err(format!("NDB version {version} is not supported (only 0)"));
    }
    let slot_pages = le32(bytes, 12).ok_or("NDB header truncated")? as usize;
    if slot_pages == 0 {
        return Err("NDB header says there are no slot pages".into());
    }
    let slots_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| {
            format!("NDB header says {slot_pages} slot pages, more than the file holds")
        })?;
    let mut out = Vec::new();
    // The 32-byte file header takes the place of the first two slots.
    for at in (2 * SLOT_SIZE..slots_end).step_by(SLOT_SIZE) {
        let slot = &bytes[at..at + SLOT_SIZE];
        if &slot[..4] != SLOT_MAGIC {
            return Err(format!("bad slot magic at byte {at}"));
        }
        let index = le32(slot, 4).unwrap_or(0);
        if index == 0 {
            continue;
        }
        let block = le32(slot, 8).unwrap_or(0) as usize;
        let blocks = le32(slot, 12).unwrap_or(0) as usize;
        out.push(Record {
            index,
            blob: blob_at(bytes, index, block, blocks),
        });
    }
    Ok(out)
}

fn blob_at(bytes: &[u8], index: u32, block: usize, blocks: usize) -> Result<&[u8], String> {
    let start = block
        .checked_mul(BLOCK_SIZE)
        .ok_or("blob offset overflows")?;
    let head = bytes
        .get(start..start + 16)
        .ok_or_else(|| format!("blob at byte {start} is past the end of the file"))?;
    if &head[..4] != BLOB_MAGIC {
        return Err(format!("bad blob magic at byte {start}"));
    }
    if le32(head, 4) != Some(index) {
        return Err(format!(
            "blob at byte {start} belongs to package {:?}",
            le32(head, 4)
        ));
    }
    let len = le32(head, 12).unwrap_or(0) as usize;
    if len + 16 > blocks.saturating_mul(BLOCK_SIZE) {
        return Err(format!(
            "blob of {len} bytes does not fit its {blocks} blocks"
        ));
    }
    bytes
        .get(start + 16..start + 16 + len)
        .ok_or_else(|| format!("blob at byte {start} is truncated"))
}
