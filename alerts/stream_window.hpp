// The last few samples of a streamed signal; rules judge the median over a short window so that
// one dropped beat or one motion spike neither raises nor restarts an alarm timer.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "alerts/short_time.hpp"
#include "alerts/types.hpp"

namespace chairwatch::alerts {

class StreamWindow {
  public:
    static constexpr std::size_t capacity = 9;

    void push(Millis at, double value) {
        if (size_ == 0) base_ = at;
        auto offset = (at - base_).count();
        if (!short_time::fits(offset)) {
            rebase(at);
            offset = 0;
        }
        at_[next_] = static_cast<std::int32_t>(offset);
        value_[next_] = value;
        next_ = static_cast<std::uint8_t>((next_ + 1) % capacity);
        size_ = static_cast<std::uint8_t>(std::min<std::size_t>(size_ + 1U, capacity));
    }
    bool empty() const { return size_ == 0; }

    // Median of the samples no older than `window` before `now`; if there are none, the latest
    // sample while it is no older than `hold` (sparse feeds); otherwise none.
    std::optional<double> median(Millis now, Millis window, Millis hold = Millis(0)) const {
        if (size_ == 0) return std::nullopt;
        const std::int64_t t = (now - base_).count();
        const std::int64_t from = t - window.count();
        std::array<double, capacity> v{};  // the samples in the window, kept sorted
        std::size_t n = 0;
        for (std::size_t i = 0; i < size_; ++i) {
            if (at_[i] <= from || at_[i] > t) continue;
            std::size_t j = n++;
            for (; j > 0 && v[j - 1] > value_[i]; --j)
                v[j] = v[j - 1];
            v[j] = value_[i];
        }
        if (n == 0) {
            const std::size_t latest = (next_ + capacity - 1) % capacity;
            if (at_[latest] <= t && t - at_[latest] <= hold.count()) return value_[latest];
            return std::nullopt;
        }
        if (n % 2 == 1) return v[n / 2];
        return (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    // The first instant after `now` at which median() could give another value with no new
    // sample: a sample enters or leaves the window, or the latest stops being held (or
    // Millis::max(): never).
    Millis next_change(Millis now, Millis window, Millis hold = Millis(0)) const {
        constexpr auto none = std::numeric_limits<std::int64_t>::max();
        if (size_ == 0) return Millis::max();
        const std::int64_t t = (now - base_).count();
        const std::int64_t from = t - window.count();
        std::int64_t next = none;
        bool in_window = false;
        for (std::size_t i = 0; i < size_; ++i) {
            if (at_[i] > t) {
                next = std::min<std::int64_t>(next, at_[i]);  // enters then
            } else if (at_[i] > from) {
                in_window = true;
                next = std::min(next, at_[i] + window.count());  // leaves then
            }
        }
        if (!in_window) {
            const std::size_t latest = (next_ + capacity - 1) % capacity;
            if (at_[latest] <= t && t - at_[latest] <= hold.count())
                next = std::min(next, at_[latest] + hold.count() + 1);
        }
        return next == none ? Millis::max() : base_ + Millis(next);
    }

    // The lowest and highest sample kept: every median this window can give lies between them.
    std::pair<double, double> range() const {
        double lo = value_[0], hi = value_[0];
        for (std::size_t i = 1; i < size_; ++i) {
            lo = std::min(lo, value_[i]);
            hi = std::max(hi, value_[i]);
        }
        return {lo, hi};
    }

    void clear() { size_ = next_ = 0; }

  private:
    // Sample times are short_time instants after `base_`, which moves when a sample would not
    // fit (after ~12 days).
    void rebase(Millis to) {
        const std::int64_t moved_by = (to - base_).count();
        for (std::size_t i = 0; i < size_; ++i)
            at_[i] =
                short_time::rebased(at_[i], moved_by, std::numeric_limits<std::int32_t>::min());
        base_ = to;
    }

    Millis base_{0};
    std::array<double, capacity> value_{};
    std::array<std::int32_t, capacity> at_{};
    std::uint8_t next_{0};
    std::uint8_t size_{0};
};

}  // namespace chairwatch::alerts
