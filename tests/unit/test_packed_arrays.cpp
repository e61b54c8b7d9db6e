#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <utility>

#include "alerts/packed_arrays.hpp"

namespace {

using chairwatch::alerts::PackedArrays;

// Counts the live instances, to see that every element is made and destroyed exactly once.
struct Tracked {
    static inline int alive = 0;
    std::unique_ptr<int> owned;
    std::int64_t value{-1};
    Tracked() noexcept { ++alive; }
    ~Tracked() { --alive; }
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
};

struct Small {
    std::int32_t a{7};
    std::int32_t b{0};
};

}  // namespace

TEST_CASE("packed arrays: each array has its length, value-initialized, and they do not overlap") {
    PackedArrays<Tracked, Small, std::int64_t> p({3, 5, 2});
    CHECK(Tracked::alive == 3);
    REQUIRE(p.get<0>().size() == 3);
    REQUIRE(p.get<1>().size() == 5);
    REQUIRE(p.get<2>().size() == 2);
    for (const auto& t : p.get<0>())
        CHECK(t.value == -1);
    for (const auto& s : p.get<1>())
        CHECK(s.a == 7);
    for (auto v : p.get<2>())
        CHECK(v == 0);
    // Write every element of every array, then read them all back.
    for (std::size_t i = 0; i < 3; ++i) {
        p.get<0>()[i].value = static_cast<std::int64_t>(100 + i);
        p.get<0>()[i].owned = std::make_unique<int>(static_cast<int>(i));
    }
    for (std::size_t i = 0; i < 5; ++i)
        p.get<1>()[i] = {static_cast<std::int32_t>(200 + i), static_cast<std::int32_t>(i)};
    for (std::size_t i = 0; i < 2; ++i)
        p.get<2>()[i] = static_cast<std::int64_t>(300 + i);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(p.get<0>()[i].value == static_cast<std::int64_t>(100 + i));
        CHECK(*p.get<0>()[i].owned == static_cast<int>(i));
    }
    for (std::size_t i = 0; i < 5; ++i)
        CHECK(p.get<1>()[i].a == static_cast<std::int32_t>(200 + i));
    for (std::size_t i = 0; i < 2; ++i)
        CHECK(p.get<2>()[i] == static_cast<std::int64_t>(300 + i));
    // One block, in order.
    const auto* first = reinterpret_cast<const unsigned char*>(p.get<0>().data());
    CHECK(reinterpret_cast<const unsigned char*>(p.get<1>().data()) == first + 3 * sizeof(Tracked));
    CHECK(reinterpret_cast<const unsigned char*>(p.get<2>().data()) ==
          first + 3 * sizeof(Tracked) + 5 * sizeof(Small));
}

TEST_CASE(
    "packed arrays: moving hands the block over; destroying or replacing it ends each element") {
    {
        PackedArrays<Tracked, Small> a({4, 1});
        a.get<0>()[2].value = 42;
        CHECK(Tracked::alive == 4);
        PackedArrays<Tracked, Small> b(std::move(a));
        CHECK(Tracked::alive == 4);
        CHECK(a.get<0>().empty());  // a moved-from block is empty
        CHECK(b.get<0>()[2].value == 42);
        b = PackedArrays<Tracked, Small>({2, 0});
        CHECK(Tracked::alive == 2);
        CHECK(b.get<1>().empty());
        b = PackedArrays<Tracked, Small>();
        CHECK(Tracked::alive == 0);
        CHECK(b.get<0>().empty());
        b = PackedArrays<Tracked, Small>({1, 1});
        CHECK(Tracked::alive == 1);
    }
    CHECK(Tracked::alive == 0);
}

TEST_CASE("packed arrays: all lengths zero allocate nothing") {
    PackedArrays<Small, std::int64_t> p({0, 0});
    CHECK(p.get<0>().empty());
    CHECK(p.get<1>().empty());
    CHECK(p.get<0>().data() == nullptr);
}
