//! The station's PIN secret: 32 random bytes kept in a file outside the database and out of every backup,
//! with which each PIN hash is keyed (Argon2's secret), so that a copy of the database alone does not let
//! anyone try PINs against its hashes offline.
//!
//! The file is `pin-secret` in the platform's preferences folder (`~/.config/rma-station/` on Linux,
//! `~/Library/Preferences/rma-station/` on macOS, `%APPDATA%\rma-station\` on Windows): never the data
//! folder, which `backup` and anyone copying the station's data take. It is made at first need, readable
//! only by the station's user (mode 0600 on Unix; on Windows the user's profile folder is private to that
//! user already). `--pin-secret PATH` or `RMA_STATION_PIN_SECRET` name another file: the benches of one
//! warehouse that share a database must share this file too, or none signs in another's operators.

use std::fmt;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The environment variable naming the PIN secret's file, when `--pin-secret` does not.
pub const PIN_SECRET_ENV: &str = "RMA_STATION_PIN_SECRET";
/// How many bytes the secret is.
pub const SECRET_BYTES: usize = 32;

/// The station's PIN secret. Its bytes are never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct PinSecret([u8; SECRET_BYTES]);

impl fmt::Debug for PinSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinSecret(..)")
    }
}

/// Why the PIN secret could not be read or made; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no PIN secret: this platform has no preferences folder; give one with --pin-secret or {PIN_SECRET_ENV}")]
    NoFolder,
    #[error("cannot read the PIN secret {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("cannot make the PIN secret {}: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
    #[error(
        "the PIN secret {} is {bytes} bytes, not {SECRET_BYTES}: copy the warehouse's PIN secret there again",
        path.display()
    )]
    WrongSize { path: PathBuf, bytes: usize },
    #[error("the PIN secret {} may be read by other users (mode {mode:o}): make it 600 (chmod 600 FILE)", path.display())]
    Readable { path: PathBuf, mode: u32 },
    #[error(
        "the PIN secret {} is inside the data folder {}: it would travel with every copy of the data; keep it elsewhere",
        path.display(),
        data_dir.display()
    )]
    InsideData { path: PathBuf, data_dir: PathBuf },
    #[error("the system's random source failed: {0}")]
    Random(String),
}

impl PinSecret {
    /// A secret from its bytes (tests, and a file read).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> PinSecret {
        PinSecret(bytes)
    }

    /// A new random secret, from the OS.
    pub fn random() -> Result<PinSecret, SecretError> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::getrandom(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
        Ok(PinSecret(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in `path`, made there first (32 random bytes, readable by this user only) if there is
    /// no file. Two stations making it at once agree on one: the file appears whole or not at all, and
    /// never replaces one that is there.
    pub fn load_or_create(path: &Path) -> Result<PinSecret, SecretError> {
        match fs::symlink_metadata(path) {
            Ok(_) => Self::load(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                create(path, &PinSecret::random()?)?;
                Self::load(path)
            }
            Err(error) => Err(SecretError::Read { path: path.to_path_buf(), error }),
        }
    }

    /// The secret in `path`, which must be 32 bytes (and, on Unix, readable by this user only).
    pub fn load(path: &Path) -> Result<PinSecret, SecretError> {
        let read = |error| SecretError::Read { path: path.to_path_buf(), error };
        let bytes = fs::read(path).map_err(read)?;
        check_private(path)?;
        let bytes: [u8; SECRET_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SecretError::WrongSize { path: path.to_path_buf(), bytes: bytes.len() })?;
        Ok(PinSecret(bytes))
    }
}

/// Where the PIN secret is: `given` (`--pin-secret`), else `RMA_STATION_PIN_SECRET`, else
/// [`default_secret_path`]. Refused inside `data_dir`, where a copy of the data would take it along.
pub fn secret_path(given: Option<&Path>, data_dir: Option<&Path>) -> Result<PathBuf, SecretError> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None => match std::env::var_os(PIN_SECRET_ENV).filter(|v| !v.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => default_secret_path().ok_or(SecretError::NoFolder)?,
        },
    };
    if let Some(data_dir) = data_dir
        && resolved(&path).starts_with(resolved(data_dir))
    {
        return Err(SecretError::InsideData { path, data_dir: data_dir.to_path_buf() });
    }
    Ok(path)
}

/// Where a path leads: absolute, `..` and `.` folded (`std::path::absolute` keeps them on Unix, so
/// `DATA/../secret` would look inside `DATA`), and links followed as far as the path exists.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            std::path::Component::ParentDir => {
                folded.pop();
            }
            std::path::Component::CurDir => {}
            other => folded.push(other),
        }
    }
    if let Ok(real) = folded.canonicalize() {
        return real;
    }
    match (folded.parent().and_then(|parent| parent.canonicalize().ok()), folded.file_name()) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => folded,
    }
}

/// `pin-secret` in the platform's preferences folder: the config folder on Linux and Windows; on macOS
/// `~/Library/Preferences`, since its config folder is the data folder.
pub fn default_secret_path() -> Option<PathBuf> {
    dirs::preference_dir().map(|dir| dir.join("rma-station").join("pin-secret"))
}

/// Writes `secret` to `path` whole, without replacing a file already there: a temporary file beside it,
/// fsynced, then linked to the name (which fails if another station made it first: theirs is kept).
fn create(path: &Path, secret: &PinSecret) -> Result<(), SecretError> {
    let write = |error| SecretError::Write { path: path.to_path_buf(), error };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    make_folder(folder).map_err(write)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = folder.join(format!(".{name}.new-{}", std::process::id()));
    let written = (|| {
        let mut file = private_file(&temporary)?;
        file.write_all(secret.bytes())?;
        file.sync_all()?;
        match fs::hard_link(&temporary, path) {
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        }
    })();
    let _ = fs::remove_file(&temporary);
    written.map_err(write)
}

#[cfg(unix)]
fn make_folder(folder: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(folder)
}

#[cfg(not(unix))]
fn make_folder(folder: &Path) -> io::Result<()> {
    fs::create_dir_all(folder)
}

/// A new file only this user may read and write (0600 on Unix).
#[cfg(unix)]
fn private_file(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

/// A new file in the user's profile, which Windows keeps private to that user.
#[cfg(not(unix))]
fn private_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = fs::metadata(path).map_err(|error| SecretError::Read { path: path.to_path_buf(), error })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SecretError::Readable { path: path.to_path_buf(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), SecretError> {
    Ok(())
}
