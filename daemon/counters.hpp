// What the daemon counts, for the stats line, /metrics and /healthz. Touched only with the
// state held (daemon/state_gate.hpp).
#pragma once

#include <array>
#include <cstdint>

#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::daemon {

struct Counters {
    std::uint64_t messages{0};
    std::uint64_t readings{0};
    std::array<std::uint64_t, drivers::reject_reason_count> rejected{};
    std::uint64_t refused_chairs{0};
    std::uint64_t foreign_chairs{0};  // messages for chairs this site does not own: ignored
    std::uint64_t alerts{0};
    std::uint64_t log_errors{0};
    std::uint64_t disconnects{0};
    std::uint64_t reconnects{0};  // connections restored after a loss
    std::uint64_t control_errors{0};
    std::uint64_t monitor_errors{0};  // monitor statuses refused
    std::uint64_t ack_errors{0};
    std::uint64_t publish_retries{0};  // publishes the client refused, kept and sent again
    std::uint64_t stale_or_future{0};  // readings refused for their timestamp
    std::uint64_t recovered_sessions{0};
    std::uint64_t duplicates{0};       // readings dropped as repeats of the one before
    std::uint64_t handler_errors{0};   // exceptions caught where a message or timer was handled
    std::uint64_t notify_receipts{0};  // dispatch statuses from the alert manager (ACM)

    void reject(drivers::RejectReason r, std::uint64_t n = 1) {
        rejected[static_cast<std::size_t>(r)] += n;
    }
};

}  // namespace chairwatch::daemon
