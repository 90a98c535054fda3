//! How many notification streams each associate holds open: a slot is taken when a stream
//! opens and given back when it ends, however it ends (server side, or the client going away).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Open streams per associate, in this process.
#[derive(Debug, Default)]
pub struct StreamSlots {
    open: Mutex<HashMap<i32, usize>>,
}

/// One open stream's slot; dropping it gives the slot back.
#[derive(Debug)]
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    associate_id: i32,
}

impl StreamSlots {
    /// A slot for one more stream of `associate_id`, or `None` when `max` are open already.
    pub fn take(self: &Arc<Self>, associate_id: i32, max: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(associate_id).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot { slots: self.clone(), associate_id })
    }

    /// How many streams `associate_id` has open.
    pub fn open(&self, associate_id: i32) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).get(&associate_id).copied().unwrap_or(0)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.associate_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.associate_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_associate_and_given_back_on_drop() {
        let slots = Arc::new(StreamSlots::default());
        let held: Vec<StreamSlot> = (0..3).map(|_| slots.take(7, 3).expect("a free slot")).collect();
        assert!(slots.take(7, 3).is_none(), "the fourth of three");
        let other = slots.take(8, 3).expect("another associate has slots of their own");
        assert_eq!(slots.open(7), 3);
        drop(held);
        assert_eq!(slots.open(7), 0);
        assert!(slots.take(7, 3).is_some());
        drop(other);
        assert_eq!(slots.open(8), 0);
    }
}
