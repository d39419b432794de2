//! Bill numbers: 1–20 printable ASCII characters (seed 000/002/003 `billnum`, Max length 20).

use std::fmt;

use serde::{Deserialize, Serialize};

pub const MAX_LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillNo(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillError {
    #[error("bill number is empty")]
    Empty,
    #[error("bill number is {0} characters long; at most 20 are allowed")]
    TooLong(usize),
    #[error(
        "bill number may only hold printable ASCII characters (letters, digits, symbols), found {0:?}"
    )]
    BadChar(char),
}

impl BillError {
    pub fn zh(&self) -> String {
        match self {
            Self::Empty => "请输入单号".into(),
            Self::TooLong(n) => format!("单号长 {n} 个字符，最多 20 个"),
            Self::BadChar(c) => format!("单号只能包含可打印的英文字母、数字和符号，发现 {c:?}"),
        }
    }
}

impl BillNo {
    /// Surrounding whitespace is trimmed (a scanner or a paste adds it); inner spaces are kept.
    pub fn parse(input: &str) -> Result<BillNo, BillError> {
        let s = input.trim();
        BillNo::check(s)?;
        Ok(BillNo(s.to_string()))
    }

    /// Whether `s`, as it stands (not trimmed), is a bill number: for text read back, such as
    /// a journal row, that is checked without being copied.
    pub fn check(s: &str) -> Result<(), BillError> {
        if s.is_empty() {
            return Err(BillError::Empty);
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_graphic() || *c == ' ')) {
            return Err(BillError::BadChar(c));
        }
        if s.len() > MAX_LEN {
            return Err(BillError::TooLong(s.len()));
        }
        Ok(())
    }

    /// A bill number from text that [`BillNo::check`] has passed.
    pub(crate) fn checked(s: &str) -> BillNo {
        BillNo(s.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BillNo {
    type Error = BillError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        BillNo::parse(&s)
    }
}

impl From<BillNo> for String {
    fn from(b: BillNo) -> String {
        b.0
    }
}

impl fmt::Display for BillNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}
