// Maps the daemon's receive clock onto the monitor's (device) clock, so that a whole report has
// one time axis. Built from the readings' (receive, device) pairs: piecewise-linear between them,
// and beyond the first and last pair the offset of that pair (both clocks tick at one second per
// second there, which is right for a live clinic and harmless for an accelerated simulation).
#pragma once

#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::report {

using alerts::Millis;

class ClockMap {
  public:
    void add(Millis received, Millis device) { pairs_.push_back({received, device}); }
    // Sorts the pairs and makes the device times non-decreasing; call once after the last add().
    void finish();

    Millis to_device(Millis received) const;
    // Device seconds per receive second over the whole record (1 in a live clinic; 150 in the
    // accelerated demo); 1 when there is too little to tell.
    double speed() const;

  private:
    struct Pair {
        Millis rx;
        Millis ts;
    };
    std::vector<Pair> pairs_;
};

}  // namespace chairwatch::report
