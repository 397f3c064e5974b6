//! How the screens write what several of them show: a stored instant in the bench's local time. Kept
//! apart so that screens borrow from here rather than from each other.

/// A stored instant (RFC 3339 UTC) in the bench's local time, to the minute: "2026-11-21 04:49".
pub fn local_time(instant: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(instant)
        .map(|at| at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| instant.to_owned())
}
