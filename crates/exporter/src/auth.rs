//! HTTP basic authentication against the web config's bcrypt hashes.
//!
//! bcrypt is slow on purpose (tens of milliseconds at cost 10), so checks run on the blocking
//! pool, and credentials that passed are remembered (a few dozen at most) so that a
//! Prometheus scraping every few seconds pays once. An unknown user costs a bcrypt check too,
//! so response times do not tell which user names exist.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;

/// Credentials remembered at most; the set starts over when full.
const REMEMBERED: usize = 64;

pub struct Auth {
    users: BTreeMap<String, String>,
    verified: Mutex<HashSet<String>>,
}

impl Auth {
    pub fn new(users: BTreeMap<String, String>) -> Arc<Auth> {
        Arc::new(Auth {
            users,
            verified: Mutex::new(HashSet::new()),
        })
    }

    /// Whether requests need credentials.
    pub fn required(&self) -> bool {
        !self.users.is_empty()
    }

    /// Whether an `Authorization` header value names a user with the right password.
    pub async fn check(self: &Arc<Self>, header: Option<&str>) -> bool {
        let Some(header) = header else { return false };
        if self.remembered(header) {
            return true;
        }
        let Some((user, password)) = decode(header) else {
            return false;
        };
        let auth = self.clone();
        let header = header.to_string();
        tokio::task::spawn_blocking(move || {
            let ok = match auth.users.get(&user) {
                Some(hash) => bcrypt::verify(&password, hash).unwrap_or(false),
                None => {
                    let _ = bcrypt::verify(&password, dummy_hash());
                    false
                }
            };
            if ok {
                let mut verified = auth.verified.lock().unwrap_or_else(|p| p.into_inner());
                if verified.len() >= REMEMBERED {
                    verified.clear();
                }
                verified.insert(header);
            }
            ok
        })
        .await
        .unwrap_or(false)
    }

    fn remembered(&self, header: &str) -> bool {
        let verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        verified.contains(header)
    }
}

/// A hash no password matches in practice, for the time an unknown user's check takes.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| bcrypt::hash("netstat_exporter: no such user", 10).unwrap_or_default())
}

/// `Basic base64(user:password)` → user and password.
fn decode(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(credentials: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode(&header("alice:s3:cret")),
            Some(("alice".to_string(), "s3:cret".to_string()))
        );
        assert_eq!(decode("Bearer abc"), None);
        assert_eq!(decode("Basic !!!"), None);
        assert_eq!(decode(&header("no-colon")), None);
    }

    #[test]
    fn checks() {
        let users = BTreeMap::from([("alice".to_string(), bcrypt::hash("secret", 4).unwrap())]);
        let auth = Auth::new(users);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            assert!(auth.required());
            assert!(auth.check(Some(&header("alice:secret"))).await);
            assert!(auth.remembered(&header("alice:secret")));
            assert!(auth.check(Some(&header("alice:secret"))).await);
            assert!(!auth.check(Some(&header("alice:wrong"))).await);
            assert!(!auth.check(Some(&header("bob:secret"))).await);
            assert!(!auth.check(None).await);
        });
    }
}
