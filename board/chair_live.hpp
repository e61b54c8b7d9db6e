// What the board remembers of each chair beyond the clinic's own state: the latest value of
// every signal with when it arrived, and the session's trends. Fed with the daemon's events.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/clinic.hpp"
#include "board/trend.hpp"

namespace chairwatch::board {

struct LastValue {
    bool set{false};
    double value{0};
    alerts::Millis mono{0};  // when it arrived (steady clock): the one clock of its age
};

// One cuff measurement as it arrived (steady clock): what the REMS checks are found among.
struct CuffMark {
    alerts::Millis mono{0};
    double sbp{0};
    double dbp{0};
};

struct ChairLive {
    std::string session_id;
    alerts::Millis start_clock{0};  // the session's clinical time at its start
    std::array<LastValue, alerts::signal_count> last{};
    std::array<TrendSeries, alerts::signal_count> trend{
        TrendSeries(30), TrendSeries(0),  TrendSeries(0), TrendSeries(0),
        TrendSeries(30), TrendSeries(30), TrendSeries(30)};
    std::vector<CuffMark> cuffs;  // the session's BP readings, oldest first (bounded)
    bool trend_changed{true};     // since the last push to viewers
    // The latest notification receipt of each alarm (alarm number -> "accepted by Rivera"):
    // what the alarm manager said became of the page (docs/notifications.md).
    std::map<std::uint32_t, std::string> receipts;
};

class ChairLiveBook {
  public:
    // Returns the chair the event concerns, or empty when it changes nothing shown.
    std::string_view on_event(const alerts::ClinicEvent& e, alerts::Instant now);
    // A receipt for an alarm of the chair's current session; false if that is not its session.
    bool on_receipt(std::string_view chair, std::string_view session_id, std::uint32_t alarm_no,
                    std::string text);
    const ChairLive* find(std::string_view chair) const;
    ChairLive* find(std::string_view chair);
    void forget(std::string_view chair) {
        if (auto it = chairs_.find(chair); it != chairs_.end()) chairs_.erase(it);
    }

  private:
    std::map<std::string, ChairLive, std::less<>> chairs_;
};

}  // namespace chairwatch::board
