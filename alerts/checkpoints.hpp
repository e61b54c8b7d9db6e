// Checks a protocol requires at a set time after the dose (REF §2 and §9: esketamine's REMS
// asks for a BP ~40 min after the dose). A checkpoint is taken by a cuff reading within its
// tolerance of the time; when its window ends with none, the Clinic raises an advisory, which
// the next cuff reading ends. Pure: times in, decisions out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerts/types.hpp"

namespace chairwatch::alerts {

struct Checkpoint {
    std::string name;                            // the advisory's condition, e.g. "rems_bp_40min"
    Millis at{std::chrono::minutes(40)};         // after the dose start
    Millis tolerance{std::chrono::minutes(10)};  // a reading this far either side counts
    Priority priority{Priority::medium};
};

// One session's checkpoints, by their index in the profile's list.
class CheckpointWatch {
  public:
    void start(Millis dose_start, std::size_t count) {
        dose_ = dose_start;
        state_.assign(count, State::pending);
    }
    void clear() { *this = CheckpointWatch{}; }
    // A cuff reading at `t`: takes the checkpoints whose window holds it; returns those whose
    // advisory it ends.
    std::vector<std::size_t> on_cuff(const std::vector<Checkpoint>& list, Millis t);
    // The checkpoints whose window ended by `now` with no reading: their advisory is due.
    std::vector<std::size_t> missed(const std::vector<Checkpoint>& list, Millis now);
    // When the next window ends (Millis::max(): none pending).
    Millis next_due(const std::vector<Checkpoint>& list) const;

  private:
    enum class State : std::uint8_t { pending, taken, noted, ended };
    std::optional<Millis> dose_;
    std::vector<State> state_;
};

}  // namespace chairwatch::alerts
