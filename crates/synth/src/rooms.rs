//! Which rooms households live in: most flats are taken, some stand empty.

use crate::buildings::Building;
use crate::person::Household;
use crate::rng::Rng;
use crate::text::{push_num, push_padded};

/// Deals out rooms for households: most rooms are taken on a first pass, the rest stay
/// empty unless the grid needs more households than expected.
pub(crate) struct Rooms<'a> {
    buildings: &'a [Building],
    /// Position of the next room: building, unit, floor, room (all but building 1-based).
    at: (usize, u16, u16, u16),
    occupancy: f64,
    skipped: Vec<(usize, u16, u16, u16)>,
    reused: usize,
}

/// A room chosen for a household.
pub(crate) struct Room {
    building: usize,
    unit: u16,
    floor: u16,
    room: u16,
}

impl<'a> Rooms<'a> {
    pub fn new(buildings: &'a [Building], expected: usize) -> Rooms<'a> {
        let total: usize = buildings.iter().map(Building::dwellings).sum();
        let occupancy = if total == 0 {
            1.0
        } else {
            (expected as f64 / total as f64).min(1.0)
        };
        Rooms {
            buildings,
            at: (0, 1, 1, 1),
            occupancy,
            skipped: Vec::new(),
            reused: 0,
        }
    }

    pub fn next(&mut self, rng: &mut Rng) -> Option<Room> {
        while let Some(b) = self.buildings.get(self.at.0) {
            let here = self.at;
            if b.is_house() || b.dwellings() == 0 {
                self.at = (here.0 + 1, 1, 1, 1);
                if b.dwellings() == 0 {
                    continue;
                }
            } else {
                self.advance(b);
            }
            if rng.chance(self.occupancy) {
                return Some(Room {
                    building: here.0,
                    unit: here.1,
                    floor: here.2,
                    room: here.3,
                });
            }
            self.skipped.push(here);
        }
        let &(building, unit, floor, room) = self.skipped.get(self.reused)?;
        self.reused += 1;
        Some(Room {
            building,
            unit,
            floor,
            room,
        })
    }

    /// Moves to the next flat: room, then floor, then unit, then building.
    fn advance(&mut self, b: &Building) {
        self.at.3 += 1;
        if self.at.3 > b.rooms_per_floor {
            (self.at.3, self.at.2) = (1, self.at.2 + 1);
            if self.at.2 > b.floors {
                (self.at.2, self.at.1) = (1, self.at.1 + 1);
                if self.at.1 > b.units {
                    self.at = (self.at.0 + 1, 1, 1, 1);
                }
            }
        }
    }
}

impl Room {
    pub fn household(
        &self,
        buildings: &[Building],
        first_person: usize,
        person_count: usize,
    ) -> Household {
        let b = &buildings[self.building];
        let mut room = String::new();
        if !b.is_house() {
            room.reserve(16);
            push_num(&mut room, usize::from(self.unit));
            room.push_str("单元");
            push_num(&mut room, usize::from(self.floor));
            push_padded(&mut room, usize::from(self.room), 2);
        }
        let mut address = String::with_capacity(b.address.len() + room.len());
        address.push_str(&b.address);
        address.push_str(&room);
        Household {
            building: self.building,
            room,
            address,
            first_person,
            person_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_fill_then_reuse_vacancies() {
        let b = Building {
            code: String::new(),
            name: "1栋".into(),
            address: "A".into(),
            floors: 2,
            units: 2,
            rooms_per_floor: 2,
            point: [0.0, 0.0],
        };
        let buildings = vec![b.clone(), b];
        let mut rooms = Rooms::new(&buildings, 10);
        let mut rng = Rng::new(1);
        let mut seen = Vec::new();
        while let Some(r) = rooms.next(&mut rng) {
            seen.push((r.building, r.unit, r.floor, r.room));
        }
        assert_eq!(seen.len(), 16);
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 16);
        let h = Room {
            building: 1,
            unit: 2,
            floor: 12,
            room: 3,
        }
        .household(&buildings, 5, 3);
        assert_eq!(
            (h.room.as_str(), h.address.as_str()),
            ("2单元1203", "A2单元1203")
        );
    }
}
