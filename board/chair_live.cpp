#include "board/chair_live.hpp"

namespace chairwatch::board {

using alerts::ClinicEvent;

namespace {

constexpr std::size_t max_cuffs = 400;  // a 5-min cycle for 33 h

// A cuff's SBP and DBP arrive in one message, at one instant: one mark.
void note_cuff(ChairLive& c, alerts::Signal s, double value, alerts::Millis mono) {
    if (c.cuffs.empty() || c.cuffs.back().mono != mono) {
        if (c.cuffs.size() == max_cuffs) c.cuffs.erase(c.cuffs.begin());
        c.cuffs.push_back({mono, 0, 0});
    }
    (s == alerts::Signal::sbp ? c.cuffs.back().sbp : c.cuffs.back().dbp) = value;
}

}  // namespace

std::string_view ChairLiveBook::on_event(const ClinicEvent& e, alerts::Instant now) {
    const auto& s = *e.session;
    auto& c = chairs_[s.chair];
    if (e.type == ClinicEvent::Type::session_started || c.session_id != s.id) {
        c = ChairLive{};
        c.session_id = s.id;
        c.start_clock = s.started.wall;
        if (s.info().ts) c.start_clock = *s.info().ts;
    }
    if (e.type == ClinicEvent::Type::reading) {
        const auto i = alerts::index_of(e.reading.signal);
        c.last[i] = {true, e.reading.value, now.mono};
        const double t =
            static_cast<double>((e.reading.device_ts - c.start_clock).count()) / 1000.0;
        if (c.trend[i].add(t < 0 ? 0 : t, e.reading.value)) c.trend_changed = true;
        if (e.reading.signal == alerts::Signal::sbp || e.reading.signal == alerts::Signal::dbp)
            note_cuff(c, e.reading.signal, e.reading.value, now.mono);
    }
    return s.chair;
}

bool ChairLiveBook::on_receipt(std::string_view chair, std::string_view session_id,
                               std::uint32_t alarm_no, std::string text) {
    auto* c = find(chair);
    if (!c || c->session_id != session_id) return false;
    c->receipts[alarm_no] = std::move(text);
    return true;
}

const ChairLive* ChairLiveBook::find(std::string_view chair) const {
    auto it = chairs_.find(chair);
    return it == chairs_.end() ? nullptr : &it->second;
}

ChairLive* ChairLiveBook::find(std::string_view chair) {
    auto it = chairs_.find(chair);
    return it == chairs_.end() ? nullptr : &it->second;
}

}  // namespace chairwatch::board
