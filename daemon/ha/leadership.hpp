// Who of a group's instances is active, from what the broker guarantees (no consensus of our
// own; docs/high-availability.md). Pure: messages and time in, a claim to publish out.
//
// The leader topic is retained and every subscriber receives its messages in one order. A claim
// names an instance, its run (one process's life) and a term. Everyone accepts a claim whose term
// is above the one accepted so far and ignores the rest, so the first claim of a term in topic
// order wins on every instance alike. An instance claims, with the next term, when it has been
// connected for `settle` (the retained messages have arrived) and the accepted leader is not
// alive: no leader, or its instance status (retained; the broker's last will sets it offline)
// is offline or of another run. The accepted leader that sees a losing or stale claim (now the
// retained one) claims again with the next term, so that the retained message names it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "alerts/types.hpp"

namespace chairwatch::daemon::ha {

struct Claim {
    std::string instance;  // empty: nobody
    std::string run;
    std::uint64_t term{0};
};

class Leadership {
  public:
    Leadership(std::string instance, std::string run, alerts::Millis settle)
        : me_{std::move(instance), std::move(run), 0}, settle_(settle) {}

    void on_connected(alerts::Millis now);
    void on_disconnected() { connected_ = false; }
    // A message on the leader topic, in topic order.
    void on_leader(const Claim& c);
    // An instance's status: online (of `run`) or offline.
    void on_status(const std::string& instance, bool online, const std::string& run);
    // A claim to publish now, if any (at most one per `retry` while unanswered).
    std::optional<Claim> decide(alerts::Millis now);

    bool active() const { return leader_.instance == me_.instance && leader_.run == me_.run; }
    const Claim& leader() const { return leader_; }

  private:
    bool leader_alive() const;
    Claim next_claim(alerts::Millis now);

    Claim me_;
    alerts::Millis settle_;
    Claim leader_;
    std::map<std::string, std::pair<bool, std::string>, std::less<>> status_;  // online, run
    bool connected_{false};
    bool reassert_{false};
    alerts::Millis connected_at_{0};
    std::optional<std::pair<std::uint64_t, alerts::Millis>> claimed_;  // term, when
};

}  // namespace chairwatch::daemon::ha
