//! The pending set: which reports await review, as bitmap pages of 1,024 report ids.
//!
//! sled keeps an in-memory page-table entry per tree node, and a node holds at most 16
//! keys, so one key per pending report made this index a large share of the store's
//! resident memory. Report ids are dense (sled's id generator), so a page of 1,024
//! bits (key = id / 1024, u64 BE; value = 128 raw bytes, bit `id % 1024` set when
//! pending) holds the same set in about a thousandth of the keys.
//!
//! Invariants: a bit is set exactly when its report is stored with status pending; a
//! page with no bit set is removed; pages change only inside report transactions.

use sled::transaction::TransactionalTree;

use super::error::StoreError;
use super::types::ReportId;
use super::{TxResult, abort};

/// Report ids per page.
const PAGE_IDS: u64 = 1024;
/// Bytes in a page value.
const PAGE_BYTES: usize = (PAGE_IDS / 8) as usize;

/// The key of the page holding `id`.
fn page_key(id: ReportId) -> [u8; 8] {
    (id.0 / PAGE_IDS).to_be_bytes()
}

/// Check a page value read from disk.
fn page_bytes<'a>(key: &[u8], raw: &'a [u8]) -> Result<&'a [u8; PAGE_BYTES], StoreError> {
    raw.try_into().map_err(|_| {
        StoreError::corrupt(
            "pending",
            key,
            format!("expected {PAGE_BYTES} bytes, got {}", raw.len()),
        )
    })
}

/// Set or clear `id`'s bit in its page.
fn set_bit(page: &mut [u8; PAGE_BYTES], id: ReportId, on: bool) {
    let bit = (id.0 % PAGE_IDS) as usize;
    let mask = 1u8 << (bit % 8);
    if on {
        page[bit / 8] |= mask;
    } else {
        page[bit / 8] &= !mask;
    }
}

/// Mark `id` pending or not, inside a transaction.
pub(crate) fn mark_tx(tree: &TransactionalTree, id: ReportId, pending: bool) -> TxResult<()> {
    let key = page_key(id);
    let mut page = match tree.get(key)? {
        Some(raw) => *page_bytes(&key, &raw).map_err(abort)?,
        None if !pending => return Ok(()),
        None => [0u8; PAGE_BYTES],
    };
    set_bit(&mut page, id, pending);
    if page.iter().all(|&b| b == 0) {
        tree.remove(&key)?;
    } else {
        tree.insert(&key, &page[..])?;
    }
    Ok(())
}

/// Mark `id` pending outside a transaction (schema migration only).
pub(crate) fn mark(tree: &sled::Tree, id: ReportId) -> Result<(), StoreError> {
    let key = page_key(id);
    let mut page = match tree.get(key)? {
        Some(raw) => *page_bytes(&key, &raw)?,
        None => [0u8; PAGE_BYTES],
    };
    set_bit(&mut page, id, true);
    tree.insert(key, &page[..])?;
    Ok(())
}

/// The ids marked in one page entry, ascending.
fn page_ids(item: sled::Result<(sled::IVec, sled::IVec)>) -> Vec<Result<ReportId, StoreError>> {
    let (key, raw) = match item {
        Ok(kv) => kv,
        Err(e) => return vec![Err(e.into())],
    };
    let page = match page_bytes(&key, &raw) {
        Ok(page) => page,
        Err(e) => return vec![Err(e)],
    };
    let Ok(base) = <[u8; 8]>::try_from(&key[..]).map(u64::from_be_bytes) else {
        return vec![Err(StoreError::corrupt(
            "pending",
            &key,
            "key is not 8 bytes",
        ))];
    };
    (0..PAGE_IDS)
        .filter(|bit| page[(bit / 8) as usize] & (1 << (bit % 8)) != 0)
        .map(|bit| Ok(ReportId(base * PAGE_IDS + bit)))
        .collect()
}

/// Pending report ids from `start` on, in id order, read lazily page by page.
pub(crate) fn ids_from(
    tree: &sled::Tree,
    start: u64,
) -> impl Iterator<Item = Result<ReportId, StoreError>> + use<> {
    tree.range(page_key(ReportId(start))..)
        .flat_map(page_ids)
        .filter(move |id| id.as_ref().map_or(true, |id| id.0 >= start))
}

/// Pending report ids, newest (highest id) first, read lazily page by page.
pub(crate) fn ids_newest_first(
    tree: &sled::Tree,
) -> impl Iterator<Item = Result<ReportId, StoreError>> + use<> {
    tree.iter()
        .rev()
        .flat_map(|item| page_ids(item).into_iter().rev())
}
