//! When the conversation is written to storage: at once when the last write is old
//! enough, otherwise once at the end of the interval, however many changes come in it.

/// What to do about one request to write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Write {
    Now,
    /// Schedule one write after this many milliseconds.
    After(u32),
    /// A write is already scheduled; it will carry this change too.
    Scheduled,
}

#[derive(Debug, Clone)]
pub struct WriteThrottle {
    every_ms: f64,
    last_write_ms: Option<f64>,
    scheduled: bool,
}

impl WriteThrottle {
    pub fn new(every_ms: f64) -> Self {
        WriteThrottle {
            every_ms,
            last_write_ms: None,
            scheduled: false,
        }
    }

    /// Something changed at `now_ms`.
    pub fn request(&mut self, now_ms: f64) -> Write {
        if self.scheduled {
            return Write::Scheduled;
        }
        let wait = match self.last_write_ms {
            Some(last) => self.every_ms - (now_ms - last),
            None => 0.0,
        };
        if wait <= 0.0 {
            Write::Now
        } else {
            self.scheduled = true;
            Write::After(wait.ceil() as u32)
        }
    }

    /// The conversation was written at `now_ms` (on request, on a timer or on leaving).
    pub fn written(&mut self, now_ms: f64) {
        self.last_write_ms = Some(now_ms);
        self.scheduled = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_written_once_now_and_once_at_the_end_of_the_interval() {
        let mut throttle = WriteThrottle::new(250.0);
        assert_eq!(throttle.request(1000.0), Write::Now);
        throttle.written(1000.0);
        assert_eq!(throttle.request(1010.0), Write::After(240));
        for t in [1020.0, 1100.0, 1249.0] {
            assert_eq!(throttle.request(t), Write::Scheduled);
        }
        throttle.written(1250.0);
        assert_eq!(throttle.request(1600.0), Write::Now);
    }

    #[test]
    fn a_write_on_leaving_the_page_restarts_the_interval() {
        let mut throttle = WriteThrottle::new(250.0);
        throttle.written(5000.0);
        assert_eq!(throttle.request(5100.0), Write::After(150));
        // The page hides and writes at once; the scheduled write still runs, harmlessly.
        throttle.written(5120.0);
        assert_eq!(throttle.request(5130.0), Write::After(240));
    }
}
