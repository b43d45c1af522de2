//! Tables and key–value lists: column widths from the content (or the caller's hints),
//! wrapped cells, and rows that flow across pages with the header row repeated.

use crate::Table;
use crate::font::Glyphs;
use crate::layout::{Align, BLOCK_GAP, BODY, BOLD, Ink, LEFT, MUTED, PLAIN, Pager, WIDTH};
use crate::wrap::{Line, natural_width, widest_unit, wrap};

/// Table text: size and line height in points.
const CELL: (f32, f32) = (9.0, 12.6);
const PAD_X: f32 = 4.0;
const PAD_Y: f32 = 3.0;
const HEADER_SHADE: f32 = 0.92;
/// Space between a key and its value.
const KEY_GAP: f32 = 12.0;

/// Where the columns are and how their text is set.
struct Grid {
    /// Left edge of every column, then the right edge of the last.
    edges: Vec<f32>,
    text: (f32, f32),
    pad: (f32, f32),
    ruled: bool,
}

/// One row's cells, already wrapped to their column widths.
#[derive(Clone)]
struct Row {
    cells: Vec<Cell>,
    header: bool,
}

#[derive(Clone)]
struct Cell {
    lines: Vec<Line>,
    ink: Ink,
    align: Align,
}

impl Row {
    fn lines(&self) -> usize {
        self.cells.iter().map(|c| c.lines.len()).max().unwrap_or(0)
    }

    /// The first `n` lines of every cell, and what is left.
    fn split(mut self, n: usize) -> (Row, Row) {
        let rest = self
            .cells
            .iter_mut()
            .map(|cell| Cell {
                lines: cell.lines.split_off(n.min(cell.lines.len())),
                ..*cell
            })
            .collect();
        let header = self.header;
        (
            self,
            Row {
                cells: rest,
                header,
            },
        )
    }
}

impl Grid {
    fn height(&self, row: &Row) -> f32 {
        row.lines() as f32 * self.text.1 + 2.0 * self.pad.1
    }

    /// Cells of `texts` wrapped to the columns; missing cells are empty.
    fn row(
        &self,
        glyphs: &mut Glyphs<'_>,
        texts: &[impl AsRef<str>],
        style: &[(Ink, Align)],
        header: bool,
    ) -> Row {
        let cells = style
            .iter()
            .enumerate()
            .map(|(i, &(ink, align))| {
                let width = self.edges[i + 1] - self.edges[i] - 2.0 * self.pad.0;
                let text = texts.get(i).map_or("", AsRef::as_ref);
                Cell {
                    lines: wrap(glyphs, text, self.text.0, width),
                    ink,
                    align,
                }
            })
            .collect();
        Row { cells, header }
    }
}

impl Pager<'_, '_> {
    pub(crate) fn table(&mut self, table: &Table) {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.header.len()])
            .max()
            .unwrap_or(0);
        if columns == 0 {
            return;
        }
        let widths = column_widths(self, table, columns);
        let grid = Grid {
            edges: edges(&widths),
            text: CELL,
            pad: (PAD_X, PAD_Y),
            ruled: true,
        };
        let aligns: Vec<Align> = (0..columns)
            .map(|i| {
                let mut cells = table
                    .rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|c| !c.trim().is_empty())
                    .peekable();
                if cells.peek().is_some() && cells.all(|c| is_number(c)) {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect();
        let header_style: Vec<(Ink, Align)> = aligns.iter().map(|&a| (BOLD, a)).collect();
        let body_style: Vec<(Ink, Align)> = aligns.iter().map(|&a| (PLAIN, a)).collect();
        let header = (!table.header.is_empty())
            .then(|| grid.row(self.glyphs, &table.header, &header_style, true));
        self.gap(BLOCK_GAP);
        let mut flow = Flow::new(&grid);
        // A header too tall to repeat on every page is drawn once, as the first row.
        match header {
            Some(header) if grid.height(&header) > Pager::page_room() / 4.0 => {
                flow.place(self, header);
            }
            header => flow.header = header,
        }
        for cells in &table.rows {
            let row = grid.row(self.glyphs, cells, &body_style, false);
            flow.place(self, row);
        }
        if !flow.open {
            // A table with a header and no rows still shows its header.
            flow.start(self, 0.0);
        }
    }

    /// Keys (grey) in a column as wide as the widest key, up to a third of the page.
    pub(crate) fn key_values(&mut self, pairs: &[(String, String)]) {
        if pairs.is_empty() {
            return;
        }
        let keys = pairs
            .iter()
            .map(|(k, _)| natural_width(self.glyphs, k, BODY.0))
            .fold(0.0, f32::max);
        let key_width = (keys + KEY_GAP).min(WIDTH / 3.0);
        let grid = Grid {
            edges: vec![LEFT, LEFT + key_width, LEFT + WIDTH],
            text: BODY,
            pad: (0.0, 0.0),
            ruled: false,
        };
        let style = [(MUTED, Align::Left), (PLAIN, Align::Left)];
        self.gap(BLOCK_GAP);
        let mut flow = Flow::new(&grid);
        for (key, value) in pairs {
            let row = grid.row(self.glyphs, &[key, value], &style, false);
            flow.place(self, row);
        }
    }
}

/// Rows placed one after another, the header repeated at the top of each page.
struct Flow<'a> {
    grid: &'a Grid,
    header: Option<Row>,
    /// Rows of this table are already on the current page.
    open: bool,
    /// The next row drawn is the first on its page and needs a line above it.
    top_rule: bool,
}

impl<'a> Flow<'a> {
    fn new(grid: &'a Grid) -> Self {
        Flow {
            grid,
            header: None,
            open: false,
            top_rule: false,
        }
    }

    fn header_height(&self) -> f32 {
        self.header.as_ref().map_or(0.0, |h| self.grid.height(h))
    }

    /// Moves to a new page if the header and `first` do not fit, then draws the header.
    /// Says whether the table starts a page (nothing above it).
    fn start(&mut self, pager: &mut Pager<'_, '_>, first: f32) -> bool {
        let wanted = self.header_height() + first.min(Pager::page_room() / 3.0);
        pager.need(wanted);
        let fresh = pager.at_top();
        self.top_rule = true;
        if let Some(header) = self.header.clone() {
            self.draw(pager, &header);
        }
        self.open = true;
        fresh
    }

    fn place(&mut self, pager: &mut Pager<'_, '_>, mut row: Row) {
        let lh = self.grid.text.1;
        let mut fresh = false;
        loop {
            let height = self.grid.height(&row);
            if !self.open {
                fresh = self.start(pager, height);
            }
            // The tolerance keeps rounding from sending a row that fits to the next page.
            if height <= pager.room() + 0.01 {
                self.draw(pager, &row);
                return;
            }
            // Split the row when even a page of its own would not hold it, or when it is
            // the first row on a page (so every turn draws a line or turns to a fresh
            // page); otherwise move it to the next page whole.
            let whole_page = Pager::page_room() - self.header_height();
            let fit = ((pager.room() - 2.0 * self.grid.pad.1) / lh)
                .floor()
                .max(0.0) as usize;
            if fresh || (height > whole_page && fit > 0) {
                let (head, rest) = row.split(fit.max(1));
                self.draw(pager, &head);
                if rest.lines() == 0 {
                    return;
                }
                row = rest;
            }
            pager.new_page();
            self.open = false;
        }
    }

    fn draw(&mut self, pager: &mut Pager<'_, '_>, row: &Row) {
        let grid = self.grid;
        let (left, right) = (grid.edges[0], grid.edges[grid.edges.len() - 1]);
        let top = pager.y;
        let height = grid.height(row);
        let bottom = top - height;
        if row.header {
            pager.shade(left, bottom, right - left, height, HEADER_SHADE);
        }
        for (i, cell) in row.cells.iter().enumerate() {
            let x = grid.edges[i] + grid.pad.0;
            let width = grid.edges[i + 1] - grid.edges[i] - 2.0 * grid.pad.0;
            for (k, line) in cell.lines.iter().enumerate() {
                let line_top = top - grid.pad.1 - k as f32 * grid.text.1;
                pager.text(line, x, width, line_top, grid.text, cell.ink, cell.align);
            }
        }
        if grid.ruled {
            if std::mem::take(&mut self.top_rule) {
                pager.rule((left, top), (right, top));
            }
            pager.rule((left, bottom), (right, bottom));
            for &x in &grid.edges {
                pager.rule((x, top), (x, bottom));
            }
        }
        pager.y = bottom;
    }
}

/// Column widths filling the page: the caller's relative hints, else each column's content
/// (as in HTML's automatic layout: every column gets its longest word, the rest of the width
/// goes to the columns with the most text).
fn column_widths(pager: &mut Pager<'_, '_>, table: &Table, columns: usize) -> Vec<f32> {
    if !table.widths.is_empty() {
        let given: Vec<f32> = table
            .widths
            .iter()
            .copied()
            .filter(|w| w.is_finite() && *w > 0.0)
            .collect();
        let fallback = if given.is_empty() {
            1.0
        } else {
            given.iter().sum::<f32>() / given.len() as f32
        };
        let hints: Vec<f32> = (0..columns)
            .map(|i| {
                table
                    .widths
                    .get(i)
                    .copied()
                    .filter(|w| w.is_finite() && *w > 0.0)
                    .unwrap_or(fallback)
            })
            .collect();
        let sum: f32 = hints.iter().sum();
        return hints.iter().map(|h| WIDTH * h / sum).collect();
    }
    let size = CELL.0;
    let pad = 2.0 * PAD_X;
    let share = WIDTH / columns as f32;
    let floor = (pad + 2.0 * size).min(share);
    let mut max = vec![floor; columns];
    let mut min = vec![floor; columns];
    for row in std::iter::once(&table.header).chain(&table.rows) {
        for (i, text) in row.iter().enumerate().take(columns) {
            max[i] = max[i].max(natural_width(pager.glyphs, text, size) + pad);
            min[i] = min[i].max(widest_unit(pager.glyphs, text, size) + pad);
        }
    }
    for i in 0..columns {
        max[i] = max[i].min(WIDTH);
        min[i] = min[i].min(share).min(max[i]);
    }
    let (sum_max, sum_min): (f32, f32) = (max.iter().sum(), min.iter().sum());
    let flex = sum_max - sum_min;
    if sum_max <= WIDTH || flex < 0.01 {
        max.iter().map(|m| m * WIDTH / sum_max).collect()
    } else {
        let extra = WIDTH - sum_min;
        (0..columns)
            .map(|i| min[i] + extra * (max[i] - min[i]) / flex)
            .collect()
    }
}

fn edges(widths: &[f32]) -> Vec<f32> {
    let mut x = LEFT;
    let mut edges = vec![x];
    for w in widths {
        x += w;
        edges.push(x);
    }
    edges
}

/// A number, percentage or date: right-aligned when a whole column holds such values.
fn is_number(text: &str) -> bool {
    let text = text.trim();
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ".,%+-‰:/".contains(c))
}
