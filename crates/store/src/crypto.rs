//! Encryption of personal fields: SM4-GCM for the value, HMAC-SM3 for a blind index that
//! finds a row by exact value without decrypting. A certified module can replace
//! [`Sm4Crypto`] by implementing [`Crypto`].
use std::path::Path;

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit};
use hmac::{Hmac, Mac};
use sm3::Sm3;
use sm4::Sm4;
use sm4::cipher::consts::U12;

use crate::StoreError;

pub trait Crypto: Send + Sync {
    fn encrypt(&self, plain: &[u8]) -> Vec<u8>;
    fn decrypt(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError>;
    /// Deterministic keyed digest of a normalised value (16 bytes).
    fn blind_index(&self, kind: &str, value: &str) -> Vec<u8>;

    fn decrypt_string(&self, sealed: &[u8]) -> Result<String, StoreError> {
        String::from_utf8(self.decrypt(sealed)?)
            .map_err(|_| StoreError::Crypto("解密结果不是文本".into()))
    }
}

type Sm4Gcm = AesGcm<Sm4, U12>;
const VERSION: u8 = 1;

/// The pure-Rust provider; keys are derived from one 32-byte master key.
pub struct Sm4Crypto {
    cipher: Sm4Gcm,
    index_key: [u8; 32],
}

impl Sm4Crypto {
    pub fn new(master: &[u8; 32]) -> Self {
        let enc = derive(master, b"wangge/sm4-gcm");
        let cipher = Sm4Gcm::new_from_slice(&enc[..16]).expect("SM4 takes a 16-byte key");
        Sm4Crypto {
            cipher,
            index_key: derive(master, b"wangge/blind-index"),
        }
    }

    /// The key from `WANGGE_KEY` (64 hex digits) if set, else `DIR/wangge.key`, created with
    /// a fresh random key (mode 0600) on first use. Never stored in the database.
    pub fn from_env_or_dir(dir: &Path) -> Result<Self, StoreError> {
        if let Ok(hex) = std::env::var("WANGGE_KEY") {
            return parse_key(hex.trim())
                .map(|k| Sm4Crypto::new(&k))
                .ok_or_else(|| {
                    StoreError::invalid("WANGGE_KEY", "环境变量 WANGGE_KEY 应为64位十六进制数")
                });
        }
        let path = dir.join("wangge.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(text.trim())
                .map(|k| Sm4Crypto::new(&k))
                .ok_or_else(|| {
                    StoreError::invalid(
                        "key",
                        format!("密钥文件 {} 已损坏：应为64位十六进制数", path.display()),
                    )
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Connect(format!("无法创建数据目录 {}：{e}", dir.display()))
                })?;
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| StoreError::Crypto(e.to_string()))?;
                write_private(&path, wangge_domain::audit::to_hex(&key).as_bytes()).map_err(
                    |e| StoreError::Connect(format!("无法写入密钥文件 {}：{e}", path.display())),
                )?;
                Ok(Sm4Crypto::new(&key))
            }
            Err(e) => Err(StoreError::Connect(format!(
                "无法读取密钥文件 {}：{e}",
                path.display()
            ))),
        }
    }
}

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    wangge_domain::audit::from_hex(hex)?.try_into().ok()
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn derive(master: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sm3> as KeyInit>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl Crypto for Sm4Crypto {
    fn encrypt(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the OS random source is available");
        let sealed = self
            .cipher
            .encrypt(&nonce.into(), plain)
            .expect("SM4-GCM encrypts any length");
        let mut out = Vec::with_capacity(1 + 12 + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    fn decrypt(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < 1 + 12 + 16 || sealed[0] != VERSION {
            return Err(StoreError::Crypto("密文格式无效".into()));
        }
        let nonce: [u8; 12] = sealed[1..13].try_into().expect("length checked");
        self.cipher
            .decrypt(&nonce.into(), &sealed[13..])
            .map_err(|_| StoreError::Crypto("密文校验失败（密钥错误或数据被篡改）".into()))
    }

    fn blind_index(&self, kind: &str, value: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sm3> as KeyInit>::new_from_slice(&self.index_key).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes()[..16].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_tampering() {
        let c = Sm4Crypto::new(&[7; 32]);
        let sealed = c.encrypt("11010519491231002X".as_bytes());
        assert!(!sealed.windows(18).any(|w| w == b"11010519491231002X"));
        assert_eq!(c.decrypt_string(&sealed).unwrap(), "11010519491231002X");
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(c.decrypt(&bad).is_err());
        assert!(Sm4Crypto::new(&[8; 32]).decrypt(&sealed).is_err());
        // Same value, fresh nonce: ciphertexts differ, the blind index does not.
        assert_ne!(c.encrypt(b"x"), c.encrypt(b"x"));
        assert_eq!(c.blind_index("id", "a"), c.blind_index("id", "a"));
        assert_ne!(c.blind_index("id", "a"), c.blind_index("phone", "a"));
    }
}
