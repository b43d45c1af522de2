//! Password policy for 等保 level 3 (GB/T 22239-2019): length, character classes, no username.

/// Minimum length in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// How many of the four character classes a password must mix.
pub const MIN_PASSWORD_CLASSES: usize = 3;

/// Which rule a password breaks. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("密码长度至少为10个字符")]
    TooShort,
    #[error("密码须包含小写字母、大写字母、数字、其他符号中的至少三类")]
    TooFewClasses,
    #[error("密码不能包含用户名")]
    ContainsUsername,
}

/// Checks `pw` against the policy; `username` is compared case-insensitively.
pub fn check_password_policy(pw: &str, username: &str) -> Result<(), PasswordPolicyError> {
    if pw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort);
    }
    let (mut lower, mut upper, mut digit, mut other) = (false, false, false, false);
    for c in pw.chars() {
        if c.is_lowercase() {
            lower = true;
        } else if c.is_uppercase() {
            upper = true;
        } else if c.is_ascii_digit() {
            digit = true;
        } else {
            other = true;
        }
    }
    let classes = [lower, upper, digit, other]
        .into_iter()
        .filter(|&b| b)
        .count();
    if classes < MIN_PASSWORD_CLASSES {
        return Err(PasswordPolicyError::TooFewClasses);
    }
    let username = username.trim();
    if !username.is_empty() && pw.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordPolicyError::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_passwords_pass() {
        assert_eq!(check_password_policy("Grid-2026-ok", "zhangsan"), Ok(()));
        assert_eq!(check_password_policy("abcdefgh12!", "zhangsan"), Ok(()));
        assert_eq!(check_password_policy("ABCDEFGH12!", "zhangsan"), Ok(()));
        assert_eq!(check_password_policy("网格管理Abc1234", "zhangsan"), Ok(()));
    }

    #[test]
    fn length_counts_characters() {
        assert_eq!(
            check_password_policy("Ab1!Ab1!A", "x"),
            Err(PasswordPolicyError::TooShort)
        );
        assert_eq!(check_password_policy("Ab1!Ab1!Ab", "zz"), Ok(()));
        // Nine Chinese characters are 27 bytes but still too short.
        assert_eq!(
            check_password_policy("网格网格网格网格网", "x"),
            Err(PasswordPolicyError::TooShort)
        );
    }

    #[test]
    fn needs_three_classes() {
        assert_eq!(
            check_password_policy("abcdefghij12", "x"),
            Err(PasswordPolicyError::TooFewClasses)
        );
        assert_eq!(
            check_password_policy("abcdefghijKL", "x"),
            Err(PasswordPolicyError::TooFewClasses)
        );
        assert_eq!(
            check_password_policy("1234567890!!", "x"),
            Err(PasswordPolicyError::TooFewClasses)
        );
    }

    #[test]
    fn must_not_contain_username() {
        assert_eq!(
            check_password_policy("ZhangSan-2026", "zhangsan"),
            Err(PasswordPolicyError::ContainsUsername)
        );
        assert_eq!(
            check_password_policy("x-ADMIN-2026x", "Admin"),
            Err(PasswordPolicyError::ContainsUsername)
        );
        assert_eq!(check_password_policy("Grid-2026-ok", "  "), Ok(()));
        assert_eq!(
            PasswordPolicyError::ContainsUsername.to_string(),
            "密码不能包含用户名"
        );
    }
}
