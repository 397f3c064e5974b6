//! The photo originals every bench shares (issue 16): `photo_originals` (one row per photo, keyed by the SHA-256
//! of its bytes, with its size and number of chunks) and `photo_blobs` (the bytes in chunks of at most 1 MiB,
//! numbered from 0). A photo is stored once, whichever bench took it and however often ([`keep`]); a bench
//! reads it back a chunk at a time, hashing it as it goes, so what comes out is either the photo whose name it
//! is or a refusal ([`fetch`]); `verify` reads every original the same way, one at a time ([`problems`]).
//!
//! The one writer: a bench keeping a photo it took and `migrate-from` copying a bench's photo folder both go
//! through [`write`], which hashes what it reads and refuses anything but the bytes the name is the hash of. It
//! runs in the caller's transaction, so a refused photo leaves no row and no chunk behind.
//!
//! An original carries no audit entry of its own: its name is the hash of its bytes, and the sealed `photos`
//! record names that hash, so the chain vouches for it through the record.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use crate::photos::store::PhotoHash;
use crate::storage::StoreError;
use crate::storage::sql::Db;

/// A photo's bytes go into `photo_blobs` in chunks of this size (the table's CHECK allows up to 1 MiB).
pub const CHUNK: u64 = 1 << 20;

/// The most originals `verify` names: a badly broken database must not print a line per photo.
const REPORTED: usize = 20;

/// Why [`write`] kept nothing.
#[derive(Debug)]
pub enum Refused {
    /// The source gave another number of bytes than it said it holds.
    Changed {
        size: u64,
        read: u64,
    },
    /// The bytes do not hash to the name.
    Altered,
    /// The source could not be read.
    Read(io::Error),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(error: StoreError) -> Refused {
        Refused::Store(error)
    }
}

/// Writes the photo `hash` of `size` bytes read from `source` into the shared originals, a chunk at a time,
/// hashing it as it is read; an original already there is left as it is (`Ok(None)`: the same photo is stored
/// once). The number of chunks written. Anything but `size` bytes hashing to `hash` is refused: the caller's
/// transaction must then roll back, taking the chunks already written with it.
pub fn write(
    db: &dyn Db,
    hash: &PhotoHash,
    size: u64,
    source: &mut dyn Read,
    stored_at: &str,
) -> Result<Option<u64>, Refused> {
    let hex = hash.to_hex();
    let chunks = size.div_ceil(CHUNK);
    // The original's row first (the chunks' foreign key); two benches keeping the same photo at once both
    // reach this insert, and the second waits for the first to commit, then finds it there.
    let inserted = db.execute(
        "INSERT INTO photo_originals (sha256, bytes, chunks, stored_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sha256) DO NOTHING",
        &[&hex, &as_count(size), &as_count(chunks), &stored_at],
    )?;
    if inserted == 0 {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    let (mut read, mut chunk) = (0u64, 0i64);
    loop {
        let mut piece = Vec::with_capacity(CHUNK as usize);
        source.take(CHUNK).read_to_end(&mut piece).map_err(Refused::Read)?;
        if piece.is_empty() {
            break;
        }
        hasher.update(&piece);
        read += piece.len() as u64;
        if read > size {
            break;
        }
        db.execute("INSERT INTO photo_blobs (sha256, chunk, data) VALUES (?1, ?2, ?3)", &[&hex, &chunk, &piece])?;
        chunk += 1;
    }
    if read != size {
        return Err(Refused::Changed { size, read });
    }
    let actual: [u8; 32] = hasher.finalize().into();
    if &actual != hash.as_bytes() {
        return Err(Refused::Altered);
    }
    Ok(Some(chunks))
}

/// Keeps a photo's bytes as the shared original named `hash`, unless it is there already; whether it was
/// written. The bytes are hashed before anything is written: bytes that are not the photo `hash` names are
/// refused.
pub fn keep(db: &dyn Db, hash: &PhotoHash, bytes: &[u8], stored_at: &str) -> Result<bool, StoreError> {
    if PhotoHash::of(bytes) != *hash {
        return Err(refusal(hash, "the bytes given are not this photo (they hash to another name); nothing was kept"));
    }
    match write(db, hash, bytes.len() as u64, &mut &bytes[..], stored_at) {
        Ok(written) => Ok(written.is_some()),
        Err(Refused::Store(error)) => Err(error),
        // Bytes in memory that hashed right above are read whole and unchanged: this is not reached.
        Err(Refused::Changed { .. } | Refused::Altered | Refused::Read(_)) => {
            Err(refusal(hash, "its bytes changed while they were kept; nothing was kept"))
        }
    }
}

/// What reading a shared original found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Every chunk there, `bytes` long in all, hashing to its name.
    Whole,
    /// No original by this name.
    Missing,
    /// A chunk missing, extra or cut: in words.
    Incomplete(String),
    /// All there, but the bytes hash to another name.
    Altered,
}

/// Reads the shared original `hash` in order, a chunk at a time, handing each to `visit` and hashing it; what
/// was found. Only [`Found::Whole`] means the chunks visited are the photo.
pub fn read(db: &dyn Db, hash: &PhotoHash, visit: &mut dyn FnMut(&[u8])) -> Result<Found, StoreError> {
    let hex = hash.to_hex();
    let Some(row) = db.row("SELECT bytes, chunks FROM photo_originals WHERE sha256 = ?1", &[&hex])? else {
        return Ok(Found::Missing);
    };
    let (bytes, chunks): (i64, i64) = (row.get(0)?, row.get(1)?);
    let held: i64 = db.one("SELECT count(*) FROM photo_blobs WHERE sha256 = ?1", &[&hex])?;
    if held != chunks {
        return Ok(Found::Incomplete(format!("it is stored as {chunks} chunks, the database holds {held}")));
    }
    let mut hasher = Sha256::new();
    let mut read = 0i64;
    for chunk in 0..chunks {
        let data: Option<Vec<u8>> =
            db.value("SELECT data FROM photo_blobs WHERE sha256 = ?1 AND chunk = ?2", &[&hex, &chunk])?;
        let Some(data) = data else {
            return Ok(Found::Incomplete(format!("its chunk {chunk} of {chunks} is missing")));
        };
        hasher.update(&data);
        read += data.len() as i64;
        visit(&data);
    }
    if read != bytes {
        return Ok(Found::Incomplete(format!("it is stored as {bytes} bytes, its chunks hold {read}")));
    }
    let actual: [u8; 32] = hasher.finalize().into();
    Ok(if &actual == hash.as_bytes() { Found::Whole } else { Found::Altered })
}

/// The shared original `hash`, checked against its name; none when the database has no such original. An
/// original that is incomplete or altered is refused, never handed out.
pub fn fetch(db: &dyn Db, hash: &PhotoHash) -> Result<Option<Vec<u8>>, StoreError> {
    let mut bytes = Vec::new();
    match read(db, hash, &mut |chunk| bytes.extend_from_slice(chunk))? {
        Found::Whole => Ok(Some(bytes)),
        Found::Missing => Ok(None),
        found => Err(refusal(hash, &format!("the shared original {}", said(&found)))),
    }
}

/// Every photo record whose shared original is missing, incomplete or altered, and every original no longer
/// whole, in words for `verify`. Originals are read one at a time, a chunk at a time.
pub fn problems(db: &dyn Db) -> Result<Vec<String>, StoreError> {
    let names: Vec<String> =
        db.column("SELECT sha256 FROM photos UNION SELECT sha256 FROM photo_originals ORDER BY 1", &[])?;
    let mut problems = Vec::new();
    let mut more = 0usize;
    for name in names {
        let found = match name.parse::<PhotoHash>() {
            Ok(hash) => read(db, &hash, &mut |_| {})?,
            Err(e) => Found::Incomplete(e.to_string()),
        };
        if found == Found::Whole {
            continue;
        }
        if problems.len() == REPORTED {
            more += 1;
            continue;
        }
        let ids: Vec<i64> = db.column("SELECT id FROM photos WHERE sha256 = ?1 ORDER BY id", &[&name])?;
        let records = match ids.as_slice() {
            [] => "no photo record names it".to_owned(),
            [one] => format!("photo {one}"),
            many => format!("photos {}", many.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        };
        problems.push(format!("photo original {name} ({records}): {}", said(&found)));
    }
    if more > 0 {
        problems.push(format!("and {more} more photo originals with problems"));
    }
    Ok(problems)
}

fn said(found: &Found) -> String {
    match found {
        Found::Whole => "is whole".to_owned(),
        Found::Missing => "MISSING: it is not in the shared database, so no other bench can show it".to_owned(),
        Found::Incomplete(how) => format!("INCOMPLETE: {how}"),
        Found::Altered => "ALTERED: its bytes no longer hash to its name".to_owned(),
    }
}

fn refusal(hash: &PhotoHash, problem: &str) -> StoreError {
    StoreError::PhotoOriginal { sha256: hash.to_hex(), problem: problem.to_owned() }
}

/// A size or count as the database's BIGINT; no file is 2^63 bytes.
pub fn as_count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
