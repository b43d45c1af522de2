//! The people who serve a grid: leader, workers, AB backup, "1+3" and "1+N".
//!
//! Each person is derived from the thing they belong to, not from the grid being generated:
//! the leader from the community (one party secretary for all its grids), a full-time worker
//! from their own grid. So grid `i`'s AB backup is exactly grid `i + 1`'s full-time worker,
//! and every grid of a community names the same leader, in any generation order.

use wangge_domain::population::Duty;

use crate::names;
use crate::phone;
use crate::rng::{Rng, key_of, salt};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub name: String,
    pub phone: String,
    pub duty: Duty,
}

/// A working-age person with a name and phone drawn from `rng`.
pub(crate) fn member(rng: &mut Rng, duty: Duty) -> StaffMember {
    let male = rng.chance(match duty {
        Duty::GridPolice | Duty::UrbanManager => 0.85,
        Duty::GridLeader | Duty::DeptHead => 0.6,
        Duty::Cleaner => 0.35,
        _ => 0.45,
    });
    let birth_year = 1965 + rng.below(35) as i32;
    StaffMember {
        name: names::random_name(rng, male, birth_year),
        phone: phone::mobile(rng),
        duty,
    }
}

/// The community's party secretary, who leads all its grids.
fn leader(seed: u64, community: &str) -> StaffMember {
    member(
        &mut Rng::stream(seed, salt::LEADER, key_of(community)),
        Duty::GridLeader,
    )
}

/// Grid `index`'s full-time worker, as it is or as somebody's AB backup.
fn full_time_worker(seed: u64, index: u32, duty: Duty) -> StaffMember {
    member(
        &mut Rng::stream(seed, salt::STAFF, u64::from(index) << 8),
        duty,
    )
}

/// Everyone named for grid `index` (of `grids`) in `community` (its code).
pub(crate) fn grid_staff(seed: u64, grids: u32, index: u32, community: &str) -> Vec<StaffMember> {
    let mut staff = Vec::with_capacity(10);
    staff.push(leader(seed, community));
    staff.push(full_time_worker(seed, index, Duty::FullTimeWorker));
    let mut rng = Rng::stream(seed, salt::STAFF, (u64::from(index) << 8) | 1);
    if rng.chance(0.5) {
        staff.push(member(&mut rng, Duty::PartTimeWorker));
    }
    // The backup is the worker of the next grid along the tiling order, which borders this
    // one; a district of one grid borrows a worker from outside.
    let backup = if grids > 1 {
        full_time_worker(seed, (index + 1) % grids, Duty::AbBackup)
    } else {
        member(&mut rng, Duty::AbBackup)
    };
    staff.push(backup);
    for duty in [Duty::GridPolice, Duty::UrbanManager, Duty::Cleaner] {
        staff.push(member(&mut rng, duty));
    }
    for _ in 0..rng.below(3) {
        staff.push(member(&mut rng, Duty::DeptMember));
    }
    staff
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn duty_ids_and_labels() {
        let ids: HashSet<_> = Duty::ALL.iter().map(|d| d.as_str()).collect();
        let labels: HashSet<_> = Duty::ALL.iter().map(|d| d.label()).collect();
        assert_eq!((ids.len(), labels.len()), (11, 11));
        assert_eq!(Duty::AbBackup.label(), "AB岗");
        assert_eq!(Duty::Operator.label(), "指挥中心值班员");
    }

    #[test]
    fn every_grid_is_fully_staffed() {
        let mut part_time = 0;
        for index in 0..200 {
            let staff = grid_staff(1, 200, index, "430204001001");
            let count = |d: Duty| staff.iter().filter(|s| s.duty == d).count();
            for d in [
                Duty::GridLeader,
                Duty::FullTimeWorker,
                Duty::AbBackup,
                Duty::GridPolice,
                Duty::UrbanManager,
                Duty::Cleaner,
            ] {
                assert_eq!(count(d), 1, "{d:?}");
            }
            assert!(count(Duty::DeptMember) <= 2);
            part_time += count(Duty::PartTimeWorker);
            assert!(
                staff
                    .iter()
                    .all(|s| s.phone.len() == 11 && !s.name.is_empty())
            );
        }
        assert!((70..130).contains(&part_time), "{part_time}");
    }

    #[test]
    fn leader_follows_community_and_backup_the_neighbour() {
        let a = grid_staff(7, 10, 2, "430204001001");
        let b = grid_staff(7, 10, 3, "430204001001");
        let c = grid_staff(7, 10, 4, "430204001002");
        assert_eq!(a[0], b[0]);
        assert_ne!(a[0].name, c[0].name);
        let backup = a.iter().find(|s| s.duty == Duty::AbBackup).unwrap();
        assert_eq!(backup.name, b[1].name);
        assert_eq!(backup.phone, b[1].phone);
        let last = grid_staff(7, 10, 9, "430204001002");
        let first = grid_staff(7, 10, 0, "430204001001");
        assert_eq!(
            last.iter().find(|s| s.duty == Duty::AbBackup).unwrap().name,
            first[1].name
        );
    }
}
