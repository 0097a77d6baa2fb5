//! The store's domain types: what callers put in and get out.
//!
//! Invariants: these types never touch disk directly (records.rs converts them); a
//! `ReporterHash` never prints in full through `Debug`/`Display`, and no raw Telegram id
//! appears in any of them.

use std::fmt;
use std::str::FromStr;

/// A report's id: monotonic, assigned by the store, displayed as `r` + base 36.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReportId(pub u64);

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut digits = Vec::with_capacity(13);
        let mut n = self.0;
        loop {
            digits.push(BASE36[(n % 36) as usize]);
            n /= 36;
            if n == 0 {
                break;
            }
        }
        digits.reverse();
        write!(f, "r{}", String::from_utf8_lossy(&digits))
    }
}

impl fmt::Debug for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReportId({self})")
    }
}

impl FromStr for ReportId {
    type Err = String;

    /// Parse the short form (`r1z`), with or without the leading `r`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('r').unwrap_or(s);
        if body.is_empty() {
            return Err(format!("not a report id: {s:?}"));
        }
        u64::from_str_radix(&body.to_ascii_lowercase(), 36)
            .map(ReportId)
            .map_err(|_| format!("not a report id: {s:?}"))
    }
}

/// A reporter's identity as a keyed hash; the raw id never reaches the store.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReporterHash(pub [u8; 32]);

impl ReporterHash {
    /// The full hash as 64 lowercase hex digits (for exports and admin commands).
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parse the 64-digit hex form produced by [`ReporterHash::to_hex`].
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(ReporterHash(out))
    }
}

impl fmt::Display for ReporterHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.0[..4].iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "{prefix}…")
    }
}

impl fmt::Debug for ReporterHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReporterHash({self})")
    }
}

/// Where one report was filed from, as a keyed hash (`Store::origin_hash`): the same
/// origin files one report however often it is handed in.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportOrigin(pub [u8; 32]);

impl fmt::Debug for ReportOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.0[..4].iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "ReportOrigin({prefix}…)")
    }
}

/// Where a report came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportSource {
    /// Forwarded to the bot in a private chat.
    Private,
    /// Reported from a group the bot is in.
    Group,
    /// Bulk-imported from an outside list.
    Import,
    /// Filed through the HTTP API.
    Api,
}

/// A report's review state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    /// Not yet reviewed by an admin.
    Pending,
    /// An admin confirmed it is a scam.
    Confirmed,
    /// An admin rejected it (not a scam, or a look-alike).
    Rejected,
}

/// A report as submitted, before the store gives it an id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReport {
    /// The reported message text.
    pub text: String,
    /// Normalised indicators (`phone:+86…`, `domain:…`); opaque to the store, deduplicated by it.
    pub indicators: Vec<String>,
    /// Where the report came from.
    pub source: ReportSource,
    /// The reporter, as returned by [`crate::store::Store::reporter_hash`].
    pub reporter: ReporterHash,
    /// When it was reported, unix seconds.
    pub at: u64,
}

/// A stored report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Its id.
    pub id: ReportId,
    /// The reported message text.
    pub text: String,
    /// Distinct normalised indicators, in submission order.
    pub indicators: Vec<String>,
    /// Where it came from.
    pub source: ReportSource,
    /// Who reported it (keyed hash).
    pub reporter: ReporterHash,
    /// When it was reported, unix seconds.
    pub created_at: u64,
    /// Its review state.
    pub status: ReportStatus,
    /// When the status last changed, unix seconds (`None` while never reviewed).
    pub status_changed_at: Option<u64>,
}

/// An admin's standing verdict on one indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AdminState {
    /// No verdict.
    #[default]
    None,
    /// Confirmed scam indicator: block.
    Blocked,
    /// Known good: never flag.
    Allowed,
}

/// What the store knows about one indicator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorReputation {
    /// Distinct reporters whose stored reports carry this indicator.
    pub distinct_reporters: u64,
    /// The admin verdict, if any.
    pub admin_state: AdminState,
    /// First time it was reported (unix seconds).
    pub first_seen: u64,
    /// Last time it was reported (unix seconds).
    pub last_seen: u64,
    /// For a blocked indicator: the scam family it was confirmed in (its stable name).
    pub family: Option<String>,
}

/// Why a fingerprint is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FingerprintKind {
    /// From a report confirmed as a scam.
    ConfirmedScam,
    /// From a rejected report: a look-alike that is not a scam.
    RejectedLookalike,
}

/// One entry of the fingerprint loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFingerprint {
    /// The report it came from.
    pub report: ReportId,
    /// Scam or look-alike.
    pub kind: FingerprintKind,
    /// The opaque fingerprint.
    pub fingerprint: Vec<u32>,
}

/// One entry of the append-only admin decision log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Who decided (admin id hash or name, as the caller gives it).
    pub actor: String,
    /// What was done (`confirm`, `block`, `ignore`, …), opaque to the store.
    pub action: String,
    /// What it was done to (a report id, an indicator, a reporter hash), opaque to the store.
    pub target: String,
    /// Why, as typed by the admin.
    pub note: String,
    /// When, unix seconds.
    pub at: u64,
    /// Where it was made (`telegram`, `api`, `console`, `cli`; empty before schema 2
    /// records carried it), opaque to the store.
    pub origin: String,
}

/// A curator's API token as stored: its name and keyed hash, never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// The name it was created under (unique among live tokens).
    pub name: String,
    /// Keyed hash of the secret (see [`crate::store::Store::token_hash`]).
    pub hash: [u8; 32],
    /// When it was created, unix seconds.
    pub created_at: u64,
    /// When it was revoked, unix seconds (`None` while it is valid).
    pub revoked_at: Option<u64>,
}

/// Counters for the stats page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Reports ever accepted (never decremented).
    pub reports_received: u64,
    /// Reports currently stored.
    pub reports_stored: u64,
    /// Stored reports awaiting review.
    pub pending: u64,
    /// Stored reports confirmed as scams.
    pub confirmed: u64,
    /// Stored reports rejected.
    pub rejected: u64,
    /// Reports removed by retention or forget (never decremented).
    pub reports_deleted: u64,
    /// Message checks performed (recorded by the caller, flushed lazily).
    pub checks: u64,
}
