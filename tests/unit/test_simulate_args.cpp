#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tools/simulator/simulator.hpp"

namespace {

chairwatch::sim::SimulateOptions parse(std::vector<std::string> args) {
    args.insert(args.begin(), "simulate");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    return chairwatch::sim::parse_simulate_args(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("simulate: readings carry the real time unless --clock simulated asks otherwise") {
    const std::vector<std::string> base{"--broker", "tcp://127.0.0.1:1", "--chairs",
                                        "2",        "--speed",           "150"};
    CHECK_FALSE(parse(base).simulated_clock);
    auto with = base;
    with.insert(with.end(), {"--clock", "simulated"});
    CHECK(parse(with).simulated_clock);
    with.back() = "real";
    CHECK_FALSE(parse(with).simulated_clock);
    with.back() = "device";
    CHECK_THROWS_AS(parse(with), std::invalid_argument);
}
