//! Cheap number formatting for the hot paths (no `format!` machinery per call).

/// Appends the decimal digits of `n`.
pub(crate) fn push_num(s: &mut String, mut n: usize) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        s.push(char::from(b));
    }
}

/// Appends `n` zero-padded to at least `width` digits.
pub(crate) fn push_padded(s: &mut String, n: usize, width: usize) {
    let digits = n.checked_ilog10().map_or(1, |l| l as usize + 1);
    for _ in digits..width {
        s.push('0');
    }
    push_num(s, n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_padding() {
        let mut s = String::new();
        push_num(&mut s, 0);
        push_num(&mut s, 301);
        push_num(&mut s, usize::MAX);
        assert_eq!(s, format!("0301{}", usize::MAX));
        s.clear();
        push_padded(&mut s, 7, 4);
        push_padded(&mut s, 1234, 4);
        push_padded(&mut s, 0, 3);
        push_padded(&mut s, 12345, 3);
        assert_eq!(s, "0007123400012345");
    }
}
