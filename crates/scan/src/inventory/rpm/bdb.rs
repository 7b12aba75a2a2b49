//! rpm's Berkeley DB backend (`Packages`: RHEL ≤ 8, CentOS, Amazon Linux 2), read without libdb.
//!
//! `Packages` is a Berkeley DB *hash* database: page 0 is the hash metadata page (magic `0x061561`
//! at byte 12, in the writer's byte order; page size at byte 20; last page number at byte 32).
//! Every page starts with a 26-byte header (page number, previous and next page, entry count, free
//! area offset, level, type at byte 25). Hash pages (types 2 and 13) hold an index of 2-byte offsets,
//! in key/value pairs; a package's value is an *off-page* item (type 3: page number at +4, length
//! at +8) whose bytes run through a chain of overflow pages (type 7) linked by their next-page
//! number, the last one holding as many bytes as its free-area offset says. Those bytes are the
//! header blob. Small inline values are not packages and are skipped, as go-rpmdb does.

const PAGE_HEADER: usize = 26;
const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HASH_UNSORTED: u8 = 2;
const PAGE_HASH: u8 = 13;
const PAGE_OVERFLOW: u8 = 7;
const ITEM_OFFPAGE: u8 = 3;

/// One package's header blob, or why it could not be had.
pub struct Record {
    /// Where its value is indexed: (hash page, entry).
    pub page: u32,
    /// The header blob.
    pub blob: Result<Vec<u8>, String>,
}

struct Db<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    page_size: usize,
    last_page: u32,
}

impl<'a> Db<'a> {
    fn u16_at(&self, b: &[u8], at: usize) -> Option<u16> {
        let x = b.get(at..at + 2)?;
        Some(if self.big_endian {
            u16::from_be_bytes([x[0], x[1]])
        } else {
            u16::from_le_bytes([x[0], x[1]])
        })
    }

    fn u32_at(&self, b: &[u8], at: usize) -> Option<u32> {
        let x = b.get(at..at + 4)?;
        let a = [x[0], x[1], x[2], x[3]];
        Some(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }

    fn page(&self, n: u32) -> Option<&'a [u8]> {
        if n > self.last_page {
            return None;
        }
        let start = (n as usize).checked_mul(self.page_size)?;
        self.bytes.get(start..start + self.page_size)
    }

    /// Follows an overflow chain from `first`, collecting `len` bytes.
    fn overflow(&self, first: u32, len: usize, max_bytes: usize) -> Result<Vec<u8>, String> {
        if len > max_bytes {
            return Err(format!("value of {len} bytes is over the limit"));
        }
        let mut out = Vec::with_capacity(len.min(1 << 20));
        let mut next = first;
        let mut hops = 0u32;
        while next != 0 {
            hops += 1;
            if hops > self.last_page.saturating_add(1) {
                return Err("overflow chain loops".into());
            }
            let page = self
                .page(next)
                .ok_or_else(|| format!("overflow page {next} is past the end of the file"))?;
            if page[25] != PAGE_OVERFLOW {
                return Err(format!("page {next} has type {}, not overflow", page[25]));
            }
            let following = self.u32_at(page, 16).unwrap_or(0);
            let used = if following == 0 {
                usize::from(self.u16_at(page, 22).unwrap_or(0))
            } else {
                self.page_size - PAGE_HEADER
            };
            let data = page
                .get(PAGE_HEADER..PAGE_HEADER + used)
                .ok_or_else(|| format!("overflow page {next} claims {used} bytes"))?;
            out.extend_from_slice(data);
            if out.len() > max_bytes {
                return Err("overflow chain is over the size limit".into());
            }
            next = following;
        }
        if out.len() < len {
            return Err(format!(
                "value is {} bytes, its entry says {len}",
                out.len()
            ));
        }
        out.truncate(len);
        Ok(out)
    }
}

/// Lists the header blobs of a Berkeley DB hash file. A damaged metadata page is an error; a
/// damaged page or chain is reported in its record.
pub fn records(bytes: &[u8], max_blob: usize) -> Result<Vec<Record>, String> {
    let magic = bytes
        .get(12..16)
        .ok_or("file shorter than a Berkeley DB metadata page")?;
    let magic = [magic[0], magic[1], magic[2], magic[3]];
    let big_endian = if u32::from_le_bytes(magic) == HASH_MAGIC {
        false
    } else if u32::from_be_bytes(magic) == HASH_MAGIC {
        true
    } else {
        return Err("not a Berkeley DB hash database".into());
    };
    let mut db = Db {
        bytes,
        big_endian,
        page_size: 0,
        last_page: 0,
    };
    let page_size = db.u32_at(bytes, 20).ok_or("metadata page truncated")? as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!(
            "page size {page_size} is not a Berkeley DB page size"
        ));
    }
    let last_page = db.u32_at(bytes, 32).ok_or("metadata page truncated")?;
    let pages_in_file = bytes.len() / page_size;
    if pages_in_file == 0 || last_page as usize >= pages_in_file {
        return Err(format!(
            "metadata says the last page is {last_page}, the file holds {pages_in_file} pages of {page_size} bytes"
        ));
    }
    db.page_size = page_size;
    db.last_page = last_page;

    let mut out = Vec::new();
    for n in 1..=last_page {
        let Some(page) = db.page(n) else { continue };
        if page[25] != PAGE_HASH && page[25] != PAGE_HASH_UNSORTED {
            continue;
        }
        let entries = usize::from(db.u16_at(page, 20).unwrap_or(0));
        if entries % 2 != 0 || PAGE_HEADER + entries * 2 > page_size {
            out.push(Record {
                page: n,
                blob: Err(format!("hash page {n} has {entries} entries")),
            });
            continue;
        }
        // Key/value pairs: the value's offset is the second of each pair.
        for pair in 0..entries / 2 {
            let Some(offset) = db.u16_at(page, PAGE_HEADER + pair * 4 + 2).map(usize::from) else {
                continue;
            };
            let Some(&kind) = page.get(offset) else {
                out.push(Record {
                    page: n,
                    blob: Err(format!(
                        "hash page {n}: entry offset {offset} is past the page"
                    )),
                });
                continue;
            };
            if kind != ITEM_OFFPAGE {
                continue;
            }
            let blob = match (db.u32_at(page, offset + 4), db.u32_at(page, offset + 8)) {
                (Some(first), Some(len)) => db.overflow(first, len as usize, max_blob),
                _ => Err(format!(
                    "hash page {n}: off-page entry at {offset} is truncated"
                )),
            };
            out.push(Record { page: n, blob });
        }
    }
    Ok(out)
}
