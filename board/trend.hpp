// A bounded trend of one signal since the session started: points are merged into buckets that
// double in width whenever the series is full, so a long session keeps its whole shape.
#pragma once

#include <cstddef>
#include <vector>

namespace chairwatch::board {

class TrendSeries {
  public:
    struct Point {
        double t{0};  // seconds since the session started
        double v{0};
        int n{1};  // samples averaged into it
    };

    explicit TrendSeries(double bucket_s = 0, std::size_t capacity = 90);
    // True when the series gained or merged points (its shape changed for a viewer).
    bool add(double t_s, double value);
    void clear();
    const std::vector<Point>& points() const { return points_; }

  private:
    void compact();

    double initial_bucket_;
    double bucket_;
    std::size_t capacity_;
    std::vector<Point> points_;
};

}  // namespace chairwatch::board
