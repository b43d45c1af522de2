//! Line breaking by measured widths: Chinese text breaks between any two characters, Latin
//! words and numbers stay whole, and Chinese punctuation keeps to its neighbour (no line
//! starts with "，" or ends with "《").

use crate::font::Glyphs;

/// One laid-out line and its width in points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub width: f32,
}

/// Lines of `text` at `size` points no wider than `max` (a unit wider than `max` is broken
/// between characters; every line holds at least one character, so this always ends).
/// Each '\n' starts a new line; an empty text gives one empty line.
pub(crate) fn wrap(glyphs: &mut Glyphs<'_>, text: &str, size: f32, max: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    for hard in text.split('\n') {
        let hard = clean(hard);
        let mut filler = Filler {
            glyphs: &mut *glyphs,
            size,
            max,
            line: String::new(),
            lines: &mut lines,
            continued: false,
        };
        for unit in units(&hard) {
            filler.push(unit);
        }
        filler.finish();
    }
    lines
}

/// The widest line of `text` if it were never wrapped.
pub(crate) fn natural_width(glyphs: &mut Glyphs<'_>, text: &str, size: f32) -> f32 {
    text.split('\n')
        .map(|line| glyphs.width(&clean(line), size))
        .fold(0.0, f32::max)
}

/// The widest piece of `text` that wrapping keeps together (a word, a number).
pub(crate) fn widest_unit(glyphs: &mut Glyphs<'_>, text: &str, size: f32) -> f32 {
    text.split('\n')
        .flat_map(|line| {
            let line = clean(line);
            units(&line)
                .into_iter()
                .map(|u| glyphs.width(u, size))
                .collect::<Vec<_>>()
        })
        .fold(0.0, f32::max)
}

/// Greedy filling of one hard line.
struct Filler<'g, 'f, 'l> {
    glyphs: &'g mut Glyphs<'f>,
    size: f32,
    max: f32,
    line: String,
    lines: &'l mut Vec<Line>,
    /// A wrapped continuation line: its leading spaces are dropped.
    continued: bool,
}

impl Filler<'_, '_, '_> {
    fn push(&mut self, unit: &str) {
        let is_space = unit.chars().all(|c| c == ' ');
        if is_space && self.continued && self.line.is_empty() {
            return;
        }
        let width = self.glyphs.width(&self.line, self.size);
        let unit_width = self.glyphs.width(unit, self.size);
        if width + unit_width <= self.max || (self.line.is_empty() && unit_width <= self.max) {
            self.line.push_str(unit);
        } else if is_space {
            self.break_line();
        } else if unit_width <= self.max {
            self.break_line();
            self.line.push_str(unit);
        } else {
            // Wider than a whole line: break it between characters.
            for c in unit.chars() {
                let width = self.glyphs.width(&self.line, self.size);
                if !self.line.is_empty()
                    && width + self.glyphs.width(c.encode_utf8(&mut [0; 4]), self.size) > self.max
                {
                    self.break_line();
                }
                self.line.push(c);
            }
        }
    }

    fn break_line(&mut self) {
        self.finish();
        self.continued = true;
    }

    /// Ends the current line, trailing spaces trimmed.
    fn finish(&mut self) {
        let text = self.line.trim_end_matches(' ').to_owned();
        self.line.clear();
        let width = self.glyphs.width(&text, self.size);
        self.lines.push(Line { text, width });
    }
}

/// Tabs become spaces; other control characters are dropped (they have no glyph).
fn clean(line: &str) -> String {
    line.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Splits a line into the pieces a line break may fall between.
fn units(line: &str) -> Vec<&str> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut glue_next = false;
    let mut prev_word = false;
    let mut prev_space = false;
    for (i, c) in line.char_indices() {
        let end = i + c.len_utf8();
        let join = !spans.is_empty()
            && (glue_next
                || (c != ' ' && is_closing(c) && !prev_space)
                || (is_word(c) && prev_word));
        match spans.last_mut() {
            Some(last) if join => last.1 = end,
            _ => spans.push((i, end)),
        }
        glue_next = is_opening(c);
        prev_word = is_word(c);
        prev_space = c == ' ';
    }
    spans.into_iter().map(|(a, b)| &line[a..b]).collect()
}

/// Part of a Latin word or number: kept with its neighbours.
fn is_word(c: char) -> bool {
    !c.is_whitespace() && !is_cjk(c) && !is_closing(c) && !is_opening(c)
}

/// Scripts written without spaces, where a line may break between any two characters.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{303F}'     // radicals, CJK symbols and punctuation
        | '\u{3040}'..='\u{9FFF}'   // kana, bopomofo, CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul
        | '\u{F900}'..='\u{FAFF}'   // compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}'   // compatibility forms
        | '\u{FF00}'..='\u{FFEF}'   // full-width forms
        | '\u{20000}'..='\u{3FFFF}' // extension ideographs
    )
}

/// Must not start a line.
fn is_closing(c: char) -> bool {
    "，。、；：？！）》」』】〕〉”’…—～·％".contains(c)
}

/// Must not end a line.
fn is_opening(c: char) -> bool {
    "（《「『【〔〈“‘".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_keep_words_and_punctuation() {
        assert_eq!(
            units("共 1,234.5 件，（已办结）"),
            vec!["共", " ", "1,234.5", " ", "件，", "（已", "办", "结）"]
        );
        assert_eq!(units("GB 11643"), vec!["GB", " ", "11643"]);
        assert_eq!(units(""), Vec::<&str>::new());
        assert_eq!(units("“好”"), vec!["“好”"]);
    }

    #[test]
    fn clean_drops_controls() {
        assert_eq!(clean("a\tb\u{7}c\r"), "a bc");
    }
}
