//! Whether a grid has the people it must have: every grid needs a grid worker (full- or
//! part-time) and an AB backup who takes over when the worker is away (AB岗).

use crate::population::Duty;

/// A duty a grid lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    Worker,
    Backup,
}

impl Gap {
    pub fn as_str(self) -> &'static str {
        match self {
            Gap::Worker => "worker",
            Gap::Backup => "ab_backup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Gap::Worker => "缺网格员",
            Gap::Backup => "缺AB岗",
        }
    }
}

/// What a grid with these duties on record lacks, worker first.
pub fn gaps(duties: &[Duty]) -> Vec<Gap> {
    let mut out = Vec::new();
    if !duties
        .iter()
        .any(|d| matches!(d, Duty::FullTimeWorker | Duty::PartTimeWorker))
    {
        out.push(Gap::Worker);
    }
    if !duties.contains(&Duty::AbBackup) {
        out.push(Gap::Backup);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_needs_a_worker_and_a_backup() {
        assert_eq!(gaps(&[]), [Gap::Worker, Gap::Backup]);
        assert_eq!(gaps(&[Duty::PartTimeWorker, Duty::AbBackup]), []);
        assert_eq!(
            gaps(&[Duty::GridLeader, Duty::GridPolice, Duty::AbBackup]),
            [Gap::Worker]
        );
        assert_eq!(gaps(&[Duty::FullTimeWorker]), [Gap::Backup]);
    }
}
