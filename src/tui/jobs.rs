//! Background jobs carry a generation: each request gets the next one, and a reply is applied only
//! if it is newer than the last applied, so a slow, stale answer never overwrites a newer one.
//! A job whose newest request has not answered yet is in flight. A job asked for again while in
//! flight is asked once more when it answers (`again`): bursts coalesce, and none is missed.

/// The jobs whose replies may arrive out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Estate,
    Instances,
    Operations,
    Detail,
    Checks,
    GroupStates,
}

impl Job {
    fn index(self) -> usize {
        match self {
            Job::Estate => 0,
            Job::Instances => 1,
            Job::Operations => 2,
            Job::Detail => 3,
            Job::Checks => 4,
            Job::GroupStates => 5,
        }
    }
}

/// The generation of one request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gen(pub u64);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jobs {
    issued: [u64; 6],
    applied: [u64; 6],
    /// Asked for while in flight: to be asked again when the flight ends.
    again: [bool; 6],
}

impl Jobs {
    /// The generation of a new request of `job`.
    pub fn issue(&mut self, job: Job) -> Gen {
        let i = job.index();
        self.issued[i] += 1;
        Gen(self.issued[i])
    }

    /// Whether a reply should be applied: true (and remembered) if it is newer than any applied.
    pub fn accept(&mut self, job: Job, generation: Gen) -> bool {
        let i = job.index();
        if generation.0 > self.applied[i] {
            self.applied[i] = generation.0;
            true
        } else {
            false
        }
    }

    /// A new request of `job`, unless one is in flight: then it is remembered and `take_again`
    /// says so when the flight ends, so what changed meanwhile is read too.
    pub fn issue_once(&mut self, job: Job) -> Option<Gen> {
        if self.in_flight(job) {
            self.again[job.index()] = true;
            None
        } else {
            Some(self.issue(job))
        }
    }

    /// Whether `job` was asked for during the flight that just ended (and forget it). Only once
    /// nothing is in flight.
    pub fn take_again(&mut self, job: Job) -> bool {
        let i = job.index();
        if self.in_flight(job) {
            return false;
        }
        std::mem::take(&mut self.again[i])
    }

    /// The newest request of `job` has not been answered yet.
    pub fn in_flight(&self, job: Job) -> bool {
        let i = job.index();
        self.issued[i] > self.applied[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_reply_is_dropped_and_the_newest_ends_the_flight() {
        let mut j = Jobs::default();
        assert!(!j.in_flight(Job::Detail));
        let old = j.issue(Job::Detail);
        let new = j.issue(Job::Detail);
        assert!(j.in_flight(Job::Detail));
        assert!(j.accept(Job::Detail, new));
        assert!(!j.in_flight(Job::Detail));
        assert!(!j.accept(Job::Detail, old), "older than the one shown");
        assert!(!j.accept(Job::Detail, new), "applied once");
    }

    #[test]
    fn an_older_reply_arriving_first_is_applied_and_the_newer_still_awaited() {
        let mut j = Jobs::default();
        let old = j.issue(Job::Operations);
        let new = j.issue(Job::Operations);
        assert!(j.accept(Job::Operations, old));
        assert!(j.in_flight(Job::Operations));
        assert!(j.accept(Job::Operations, new));
        assert!(!j.in_flight(Job::Operations));
    }

    #[test]
    fn a_request_during_a_flight_is_asked_again_once_it_lands() {
        let mut j = Jobs::default();
        let first = j.issue_once(Job::GroupStates).expect("nothing in flight");
        assert_eq!(j.issue_once(Job::GroupStates), None, "coalesced");
        assert_eq!(j.issue_once(Job::GroupStates), None, "coalesced");
        assert!(!j.take_again(Job::GroupStates), "still in flight");
        assert!(j.accept(Job::GroupStates, first));
        assert!(j.take_again(Job::GroupStates), "asked meanwhile");
        assert!(!j.take_again(Job::GroupStates), "once");
    }

    #[test]
    fn jobs_count_apart() {
        let mut j = Jobs::default();
        let e = j.issue(Job::Estate);
        assert!(!j.in_flight(Job::Checks));
        assert!(j.accept(Job::Estate, e));
        assert!(j.accept(Job::Checks, j.clone().issue(Job::Checks)));
    }
}
