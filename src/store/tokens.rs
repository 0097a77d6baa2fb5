//! Curators' API tokens: a name and a keyed hash of the secret per token, tree
//! `tokens`, key = name.
//!
//! Invariants: the secret itself never reaches the store (only `token_hash` of it, keyed
//! with a key derived from the data directory's secret, so a copied database alone
//! cannot be used to test guesses); a revoked token stays listed with its revocation
//! time and is never valid again; every change is durable on return.

use super::Store;
use super::error::StoreError;
use super::records::{TokenRecord, decode, encode};
use super::types::StoredToken;

/// Domain separation for the token-hash key (never reuse the reporter-hash key as is).
const TOKEN_KEY_CONTEXT: &str = "sellerguard 2026-12 api token hash v1";

impl Store {
    /// Keyed hash of a token secret.
    pub fn token_hash(&self, secret: &str) -> [u8; 32] {
        let key = blake3::derive_key(TOKEN_KEY_CONTEXT, &self.inner.key.0);
        *blake3::keyed_hash(&key, secret.as_bytes()).as_bytes()
    }

    /// Keeps a new token; refuses (`InvalidInput`) a name a live token already has.
    /// A revoked token of that name is replaced. Durable on return.
    pub fn put_token(&self, token: &StoredToken) -> Result<(), StoreError> {
        if let Some(existing) = self.token(&token.name)?
            && existing.revoked_at.is_none()
        {
            return Err(StoreError::InvalidInput(format!(
                "a token named {:?} exists already (revoke it first)",
                token.name
            )));
        }
        self.write_token(token)
    }

    /// The token called `name`, live or revoked.
    pub fn token(&self, name: &str) -> Result<Option<StoredToken>, StoreError> {
        let Some(raw) = self.trees().tokens.get(name.as_bytes())? else {
            return Ok(None);
        };
        Ok(Some(token_from(name.as_bytes(), &raw)?))
    }

    /// Every token, by name.
    pub fn tokens(&self) -> Result<Vec<StoredToken>, StoreError> {
        let mut out = Vec::new();
        for item in self.trees().tokens.iter() {
            let (key, raw) = item?;
            out.push(token_from(&key, &raw)?);
        }
        Ok(out)
    }

    /// Revokes the live token called `name` at `at`; returns whether there was one.
    pub fn revoke_token(&self, name: &str, at: u64) -> Result<bool, StoreError> {
        let Some(mut token) = self.token(name)? else {
            return Ok(false);
        };
        if token.revoked_at.is_some() {
            return Ok(false);
        }
        token.revoked_at = Some(at);
        self.write_token(&token)?;
        Ok(true)
    }

    fn write_token(&self, token: &StoredToken) -> Result<(), StoreError> {
        let record = TokenRecord::V1 {
            hash: token.hash,
            created_at: token.created_at,
            revoked_at: token.revoked_at,
        };
        self.trees()
            .tokens
            .insert(token.name.as_bytes(), encode("token", &record)?)?;
        self.durable()
    }
}

fn token_from(key: &[u8], raw: &[u8]) -> Result<StoredToken, StoreError> {
    let TokenRecord::V1 {
        hash,
        created_at,
        revoked_at,
    } = decode("tokens", key, raw)?;
    let name = String::from_utf8(key.to_vec())
        .map_err(|_| StoreError::corrupt("tokens", key, "name is not UTF-8"))?;
    Ok(StoredToken {
        name,
        hash,
        created_at,
        revoked_at,
    })
}
