#include "board/trend.hpp"

#include <algorithm>

namespace chairwatch::board {

TrendSeries::TrendSeries(double bucket_s, std::size_t capacity)
    : initial_bucket_(bucket_s), bucket_(bucket_s), capacity_(std::max<std::size_t>(capacity, 4)) {}

bool TrendSeries::add(double t_s, double value) {
    if (!points_.empty()) {
        auto& last = points_.back();
        if (t_s < last.t) t_s = last.t;  // a late sample joins the latest point
        if (bucket_ > 0 && t_s - last.t < bucket_) {
            last.v = (last.v * last.n + value) / (last.n + 1);
            ++last.n;
            return false;
        }
    }
    points_.push_back({t_s, value, 1});
    if (points_.size() > capacity_) compact();
    return true;
}

// Merges neighbours pairwise and doubles the bucket width.
void TrendSeries::compact() {
    std::vector<Point> merged;
    merged.reserve(points_.size() / 2 + 1);
    for (std::size_t i = 0; i < points_.size(); i += 2) {
        if (i + 1 == points_.size()) {
            merged.push_back(points_[i]);
            break;
        }
        const auto& a = points_[i];
        const auto& b = points_[i + 1];
        const int n = a.n + b.n;
        merged.push_back({a.t, (a.v * a.n + b.v * b.n) / n, n});
    }
    points_ = std::move(merged);
    bucket_ = std::max(bucket_ * 2, points_.size() > 1 ? points_[1].t - points_[0].t : 1.0);
}

void TrendSeries::clear() {
    points_.clear();
    bucket_ = initial_bucket_;
}

}  // namespace chairwatch::board
