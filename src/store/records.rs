//! Versioned on-disk records and their conversions to and from domain types.
//!
//! Invariants: every value the store writes that is more than a fixed-width integer is
//! one of the `*Record` enums below, encoded with postcard, so its first byte is the
//! record version (the enum variant index). Variants and field order are append-only:
//! never reorder, remove or retype a field of a shipped version; add `V2` instead and
//! convert in `into_domain`. Decoding never panics; a bad value is `StoreError::Corrupt`
//! naming the tree and key.

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::error::StoreError;
use super::types::{
    AdminState, Decision, FingerprintKind, IndicatorReputation, NewReport, Report, ReportId,
    ReportOrigin, ReportSource, ReportStatus, ReporterHash,
};

/// Encode a record with postcard.
pub(crate) fn encode<T: Serialize>(what: &'static str, record: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(record).map_err(|e| StoreError::Encode {
        what,
        detail: e.to_string(),
    })
}

/// Decode a record, naming the tree and key on failure.
pub(crate) fn decode<T: DeserializeOwned>(
    tree: &'static str,
    key: &[u8],
    bytes: &[u8],
) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::corrupt(tree, key, e))
}

/// Decode a big-endian u64 stored as a raw 8-byte value (counters, index values).
pub(crate) fn decode_u64(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<u64, StoreError> {
    let arr: [u8; 8] = bytes.try_into().map_err(|_| {
        StoreError::corrupt(tree, key, format!("expected 8 bytes, got {}", bytes.len()))
    })?;
    Ok(u64::from_be_bytes(arr))
}

/// Pack a fingerprint as little-endian u32 bytes (postcard varints would grow random
/// MinHash values).
fn pack(fingerprint: &[u32]) -> Vec<u8> {
    fingerprint.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Split a packed fingerprint into `N`-byte words, each converted by `word`.
fn unpack_words<const N: usize>(
    tree: &'static str,
    key: &[u8],
    bytes: &[u8],
    word: impl Fn([u8; N]) -> u32,
) -> Result<Vec<u32>, StoreError> {
    let (words, rest) = bytes.as_chunks::<N>();
    if !rest.is_empty() {
        return Err(StoreError::corrupt(
            tree,
            key,
            format!("fingerprint length is not a multiple of {N}"),
        ));
    }
    Ok(words.iter().map(|w| word(*w)).collect())
}

/// Unpack a fingerprint written by [`pack`].
fn unpack(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<Vec<u32>, StoreError> {
    unpack_words(tree, key, bytes, u32::from_le_bytes)
}

/// Unpack a version-1 fingerprint (little-endian u64s) as its version-2 form: the
/// high 32 bits of each value, which is what the 32-bit MinHash keeps of the same
/// minimum, so old and new fingerprints of one text compare equal.
fn unpack_v1(tree: &'static str, key: &[u8], bytes: &[u8]) -> Result<Vec<u32>, StoreError> {
    unpack_words(tree, key, bytes, |w| (u64::from_le_bytes(w) >> 32) as u32)
}

/// Report source as stored. Append-only.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(crate) enum SourceV1 {
    Private,
    Group,
    Import,
    Api,
}

/// Report status as stored. Append-only.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusV1 {
    Pending,
    Confirmed,
    Rejected,
}

/// Admin state as stored. Append-only.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(crate) enum AdminStateV1 {
    None,
    Blocked,
    Allowed,
}

/// Fingerprint kind as stored. Append-only.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(crate) enum KindV1 {
    ConfirmedScam,
    RejectedLookalike,
}

/// A report, tree `reports`, key = report id (u64 BE).
#[derive(Serialize, Deserialize)]
pub(crate) enum ReportRecord {
    V1(ReportV1),
    V2(ReportV2),
    V3(ReportV3),
}

/// Version 1 of a stored report (schema 1): carried its fingerprint.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct ReportV1 {
    pub text: String,
    pub indicators: Vec<String>,
    pub fingerprint: Vec<u8>,
    pub source: SourceV1,
    pub reporter: [u8; 32],
    pub created_at: u64,
    pub status: StatusV1,
    pub status_changed_at: Option<u64>,
}

/// Version 2 of a stored report: no fingerprint (it is derived from the text when a
/// report is judged, and kept only in `fingerprints`).
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct ReportV2 {
    pub text: String,
    pub indicators: Vec<String>,
    pub source: SourceV1,
    pub reporter: [u8; 32],
    pub created_at: u64,
    pub status: StatusV1,
    pub status_changed_at: Option<u64>,
}

/// Version 3 of a stored report (schema 3): version 2 plus where it came from (the
/// keyed hash that `report_origins` maps to it), so deleting it also forgets that.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct ReportV3 {
    pub report: ReportV2,
    pub origin: Option<[u8; 32]>,
}

impl ReportRecord {
    /// Build the record for a new report with already-deduplicated indicators.
    pub fn new(report: &NewReport, indicators: Vec<String>, origin: Option<ReportOrigin>) -> Self {
        let report = ReportV2 {
            text: report.text.clone(),
            indicators,
            source: report.source.into(),
            reporter: report.reporter.0,
            created_at: report.at,
            status: StatusV1::Pending,
            status_changed_at: None,
        };
        ReportRecord::V3(ReportV3 {
            report,
            origin: origin.map(|o| o.0),
        })
    }

    /// The latest-version view of this record (migrating old versions in memory).
    pub fn latest(self) -> ReportV3 {
        let report = match self {
            ReportRecord::V1(v1) => ReportV2 {
                text: v1.text,
                indicators: v1.indicators,
                source: v1.source,
                reporter: v1.reporter,
                created_at: v1.created_at,
                status: v1.status,
                status_changed_at: v1.status_changed_at,
            },
            ReportRecord::V2(v2) => v2,
            ReportRecord::V3(v3) => return v3,
        };
        ReportV3 {
            report,
            origin: None,
        }
    }
}

/// Where a report came from, tree `report_origins`, key = origin hash.
#[derive(Serialize, Deserialize)]
pub(crate) enum OriginRecord {
    V1 {
        /// The report filed from it.
        report: u64,
        /// When, unix seconds (old entries are pruned).
        at: u64,
    },
}

impl ReportV3 {
    /// Convert to the domain type.
    pub fn into_domain(self, id: ReportId) -> Report {
        self.report.into_domain(id)
    }
}

impl ReportV2 {
    /// Convert to the domain type.
    pub fn into_domain(self, id: ReportId) -> Report {
        Report {
            id,
            text: self.text,
            indicators: self.indicators,
            source: self.source.into(),
            reporter: ReporterHash(self.reporter),
            created_at: self.created_at,
            status: self.status.into(),
            status_changed_at: self.status_changed_at,
        }
    }
}

/// An indicator's reputation, tree `indicators`, key = indicator bytes.
#[derive(Serialize, Deserialize)]
pub(crate) enum IndicatorRecord {
    V1(IndicatorV1),
    V2(IndicatorV2),
}

/// Version 1 of an indicator's reputation.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(crate) struct IndicatorV1 {
    pub distinct_reporters: u64,
    pub admin_state: AdminStateV1,
    pub first_seen: u64,
    pub last_seen: u64,
}

/// Version 2: a confirmed (blocked) indicator also carries the scam family it was
/// confirmed in, as the family's stable name.
#[derive(Serialize, Deserialize, Clone)]
pub(crate) struct IndicatorV2 {
    pub distinct_reporters: u64,
    pub admin_state: AdminStateV1,
    pub first_seen: u64,
    pub last_seen: u64,
    pub family: Option<String>,
}

impl IndicatorRecord {
    /// The latest-version view of this record (a V1 record has no family).
    pub fn latest(self) -> IndicatorV2 {
        match self {
            IndicatorRecord::V1(v1) => IndicatorV2 {
                distinct_reporters: v1.distinct_reporters,
                admin_state: v1.admin_state,
                first_seen: v1.first_seen,
                last_seen: v1.last_seen,
                family: None,
            },
            IndicatorRecord::V2(v2) => v2,
        }
    }
}

impl From<IndicatorV2> for IndicatorReputation {
    fn from(v: IndicatorV2) -> Self {
        IndicatorReputation {
            distinct_reporters: v.distinct_reporters,
            admin_state: v.admin_state.into(),
            first_seen: v.first_seen,
            last_seen: v.last_seen,
            family: v.family,
        }
    }
}

/// Who reported an indicator, tree `indicator_reporters`, key = indicator bytes.
#[derive(Serialize, Deserialize)]
pub(crate) enum ReportersRecord {
    V1(Vec<ReporterCountV1>),
}

/// One reporter of an indicator and how many of their stored reports carry it.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ReporterCountV1 {
    pub reporter: [u8; 32],
    pub reports: u64,
}

impl ReportersRecord {
    /// The latest-version view: reporters sorted by hash, each once.
    pub fn latest(self) -> Vec<ReporterCountV1> {
        match self {
            ReportersRecord::V1(v1) => v1,
        }
    }
}

/// A kept fingerprint, tree `fingerprints`, key = report id (u64 BE).
#[derive(Serialize, Deserialize)]
pub(crate) enum FingerprintRecord {
    /// Schema 1: packed little-endian u64s.
    V1 { kind: KindV1, fingerprint: Vec<u8> },
    /// Packed little-endian u32s.
    V2 { kind: KindV1, fingerprint: Vec<u8> },
}

impl FingerprintRecord {
    /// Build the record for `fingerprint`.
    pub fn new(kind: FingerprintKind, fingerprint: &[u32]) -> Self {
        FingerprintRecord::V2 {
            kind: kind.into(),
            fingerprint: pack(fingerprint),
        }
    }

    /// Convert to the domain pair; `key` names the record on error.
    pub fn into_domain(self, key: &[u8]) -> Result<(FingerprintKind, Vec<u32>), StoreError> {
        match self {
            FingerprintRecord::V1 { kind, fingerprint } => {
                Ok((kind.into(), unpack_v1("fingerprints", key, &fingerprint)?))
            }
            FingerprintRecord::V2 { kind, fingerprint } => {
                Ok((kind.into(), unpack("fingerprints", key, &fingerprint)?))
            }
        }
    }
}

/// An admin decision, tree `decisions`, key = sequence number (u64 BE).
#[derive(Serialize, Deserialize)]
pub(crate) enum DecisionRecord {
    V1 {
        actor: String,
        action: String,
        target: String,
        note: String,
        at: u64,
    },
    /// Version 2 adds where the decision was made (`telegram`, `api`, `console`, `cli`).
    V2 {
        actor: String,
        action: String,
        target: String,
        note: String,
        at: u64,
        origin: String,
    },
}

impl From<&Decision> for DecisionRecord {
    fn from(d: &Decision) -> Self {
        DecisionRecord::V2 {
            actor: d.actor.clone(),
            action: d.action.clone(),
            target: d.target.clone(),
            note: d.note.clone(),
            at: d.at,
            origin: d.origin.clone(),
        }
    }
}

impl From<DecisionRecord> for Decision {
    fn from(r: DecisionRecord) -> Self {
        match r {
            DecisionRecord::V1 {
                actor,
                action,
                target,
                note,
                at,
            } => Decision {
                actor,
                action,
                target,
                note,
                at,
                origin: String::new(),
            },
            DecisionRecord::V2 {
                actor,
                action,
                target,
                note,
                at,
                origin,
            } => Decision {
                actor,
                action,
                target,
                note,
                at,
                origin,
            },
        }
    }
}

/// An API token, tree `tokens`, key = token name.
#[derive(Serialize, Deserialize)]
pub(crate) enum TokenRecord {
    V1 {
        hash: [u8; 32],
        created_at: u64,
        revoked_at: Option<u64>,
    },
}

/// An ignored reporter, tree `ignored`, key = reporter hash.
#[derive(Serialize, Deserialize)]
pub(crate) enum IgnoredRecord {
    V1 { at: u64 },
}

/// The model blob, tree `meta`, key `model`.
#[derive(Serialize, Deserialize)]
pub(crate) enum ModelRecord {
    V1 { bytes: Vec<u8> },
}

macro_rules! mirror {
    ($domain:ident, $record:ident, [$($variant:ident),+]) => {
        impl From<$domain> for $record {
            fn from(v: $domain) -> Self {
                match v { $($domain::$variant => $record::$variant),+ }
            }
        }
        impl From<$record> for $domain {
            fn from(v: $record) -> Self {
                match v { $($record::$variant => $domain::$variant),+ }
            }
        }
    };
}

mirror!(ReportSource, SourceV1, [Private, Group, Import, Api]);
mirror!(ReportStatus, StatusV1, [Pending, Confirmed, Rejected]);
mirror!(AdminState, AdminStateV1, [None, Blocked, Allowed]);
mirror!(FingerprintKind, KindV1, [ConfirmedScam, RejectedLookalike]);
